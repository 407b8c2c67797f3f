import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { GuardDutyDelegatedAdministrator, GuardDutyInvitationAccepter, GuardDutyMemberInvitations, GuardDutyOrganizationConfiguration, OrganizationAutoEnable } from '../../lib';
import { REPORT_INSTEAD_OF_FAILING, synthesizeFindings } from './rule-packs';

// Which option satisfies the LambdaConcurrency rules of the HIPAA and NIST 800-53 R5 packs:
// by default no function reserves concurrency (so a stack deploys in a new account whose
// quota of 10 allows no reservation) and the rule is acknowledged, naming the prop; with
// reserveConcurrency: true every function reserves some, and the rule passes unacknowledged.

const DETECTOR = 'abcdef0123456789abcdef0123456789';
const CONCURRENCY_RULES = ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency'];

function appWith(reserveConcurrency: boolean | undefined): { app: App; stacks: Stack[] } {
  const app = new App({ context: REPORT_INSTEAD_OF_FAILING });
  const env = (account: string) => ({ env: { account, region: 'us-east-1' } });
  const administrator = new Stack(app, 'Administrator', env('111111111111'));
  new GuardDutyMemberInvitations(administrator, 'Members', { detectorId: DETECTOR, members: [{ accountId: '222222222222', email: 'a@example.com' }], reserveConcurrency }).addMonitor();
  new GuardDutyOrganizationConfiguration(administrator, 'Organization', { detectorId: DETECTOR, autoEnableOrganizationMembers: OrganizationAutoEnable.NEW, reserveConcurrency });
  const member = new Stack(app, 'Member', env('222222222222'));
  new GuardDutyInvitationAccepter(member, 'Accepter', { administratorAccountId: '111111111111', detectorId: DETECTOR, reserveConcurrency }).addMonitor();
  const management = new Stack(app, 'Management', env('999999999999'));
  new GuardDutyDelegatedAdministrator(management, 'GuardDutyAdministrator', { adminAccountId: '111111111111', reserveConcurrency });
  Validations.of(app).addPlugins(new HIPAASecurityChecks(app), new NIST80053R5Checks(app));
  return { app, stacks: [administrator, member, management] };
}

const functionsOf = (stacks: Stack[]) => stacks.flatMap((stack) => stack.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction));

/** The LambdaConcurrency acknowledgements on a function or any construct above it, with their reasons. */
function concurrencyAcknowledgements(fn: IConstruct): string[] {
  return fn.node.scopes.flatMap((scope) =>
    scope.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .filter(([rule]) => CONCURRENCY_RULES.some((id) => rule.endsWith(id)))
      .map(([rule, reason]) => `${rule}: ${reason}`),
  );
}

describe.each([
  ['by default', undefined],
  ['with reserveConcurrency: true', true],
] as const)('%s', (_, reserveConcurrency) => {
  let stacks: Stack[];
  let findings: ReturnType<typeof synthesizeFindings>['findings'];
  beforeAll(() => {
    const built = appWith(reserveConcurrency);
    stacks = built.stacks;
    ({ findings } = synthesizeFindings(built.app));
  });

  test('the LambdaConcurrency rules report nothing on any function of ours', () => {
    expect(findings.filter((f) => f.rule.includes('LambdaConcurrency')).map((f) => `${f.rule} ${f.constructPath}`)).toEqual([]);
  });

  test(reserveConcurrency ? 'every function reserves concurrency, and none acknowledges the rule' : 'no function reserves concurrency, and each acknowledges the rule naming reserveConcurrency', () => {
    const functions = functionsOf(stacks);
    // 4 providers of 5 functions, and the 2 monitors' checks.
    expect(functions).toHaveLength(22);
    for (const fn of functions) {
      const reserved = fn.reservedConcurrentExecutions;
      const acknowledged = concurrencyAcknowledgements(fn);
      if (reserveConcurrency) {
        expect([fn.node.path, reserved !== undefined && reserved > 0, acknowledged]).toEqual([fn.node.path, true, []]);
      } else {
        expect([fn.node.path, reserved]).toEqual([fn.node.path, undefined]);
        expect(acknowledged).toHaveLength(CONCURRENCY_RULES.length);
        expect(acknowledged.join('\n')).toContain('Set reserveConcurrency: true');
      }
    }
  });
});

test('with reserveConcurrency, the stacks reserve 21 executions per provider and 1 per monitor: 86 in all', () => {
  const { stacks } = appWith(true);
  expect(functionsOf(stacks).reduce((sum, fn) => sum + (fn.reservedConcurrentExecutions as number), 0)).toBe(4 * 21 + 2);
});
