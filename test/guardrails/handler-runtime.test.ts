import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { GuardDutyMemberInvitations } from '../../lib';
import { RuntimeInfo, newestNodeRuntime } from '../../lib/private/handler-runtime';

// Plain objects, not `new lambda.Runtime()`: that would add them to Runtime.ALL for the whole test file.
const runtime = (name: string, options: { isVariable?: boolean } = {}): RuntimeInfo => ({ name, family: lambda.RuntimeFamily.NODEJS, isVariable: options.isVariable ?? false });
const PYTHON: RuntimeInfo = { name: 'python3.13', family: lambda.RuntimeFamily.PYTHON, isVariable: false };

describe('the handlers\' runtime', () => {
  test('is the newest nodejs<N>.x the runtimes list holds, numerically (nodejs100.x after nodejs26.x)', () => {
    expect(newestNodeRuntime([runtime('nodejs24.x'), runtime('nodejs100.x'), runtime('nodejs26.x'), PYTHON]).name).toBe('nodejs100.x');
  });

  test('skips variable aliases (NODEJS_LATEST) and never goes below nodejs24.x', () => {
    expect(newestNodeRuntime([runtime('nodejs22.x'), runtime('nodejs24.x'), runtime('nodejs30.x', { isVariable: true })]).name).toBe('nodejs24.x');
  });

  test('without nodejs24.x or newer, synthesis fails naming what this aws-cdk-lib knows', () => {
    expect(() => newestNodeRuntime([runtime('nodejs20.x'), runtime('nodejs22.x')])).toThrow(
      'This aws-cdk-lib knows no Lambda runtime nodejs24.x or newer (it knows nodejs20.x, nodejs22.x)',
    );
  });

  test('moves with aws-cdk-lib: once it knows nodejs26.x (as 2.278 does), every function of ours runs on it, as AwsSolutions-L1 asks', () => {
    // Jest gives each test file its own aws-cdk-lib module, so this runtime joins
    // Runtime.ALL for this file only: the aws-cdk-lib of a newer release, in effect.
    const nodejs26 = new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
    new GuardDutyMemberInvitations(stack, 'Members', { detectorId: 'abcdef0123456789abcdef0123456789', members: [{ accountId: '222222222222', email: 'a@example.com' }] }).addMonitor();
    // The same ordering cdk-nag's LambdaLatestVersion rule uses, over the same list.
    const newest = lambda.Runtime.ALL.map(String).filter((name) => name.startsWith('nodejs')).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();

    const functions = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(newest).toBe(nodejs26.name);
    // The handlers, the monitor, and aws-cdk-lib's own framework functions, whose runtime
    // aws-cdk-lib picks a version behind.
    expect(functions.map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Properties.Runtime]).sort()).toEqual([
      ['GuardDutyMemberInvitationsProviderHandler', 'nodejs26.x'],
      ['GuardDutyMemberInvitationsProviderIsCompleteHandler', 'nodejs26.x'],
      ['GuardDutyMemberInvitationsProviderframeworkisComplete', 'nodejs26.x'],
      ['GuardDutyMemberInvitationsProviderframeworkonEvent', 'nodejs26.x'],
      ['GuardDutyMemberInvitationsProviderframeworkonTimeout', 'nodejs26.x'],
      ['MembersMonitorFunction', 'nodejs26.x'],
    ]);
  });
});
