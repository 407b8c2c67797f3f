import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GuardDutyTamperProtection, GuardDutyTamperProtectionProps } from '../../lib';
import { SCP_MAX_CHARACTERS } from '../../lib/private/tamper-protection-rules';

const ROOT = 'r-ab12';
const WORKLOADS = 'ou-ab12-workloads';

function newStack(): Stack {
  return new Stack(new App(), 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
}

function protect(props: Partial<GuardDutyTamperProtectionProps> = {}, stack: Stack = newStack()): Stack {
  new GuardDutyTamperProtection(stack, 'TamperProtection', { targetIds: [WORKLOADS], ...props });
  return stack;
}

type Statement = { Sid: string; Effect: string; Action: string[]; Resource: string; Condition?: Record<string, Record<string, string[]>> };

function statements(stack: Stack): Statement[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.Content.Statement;
}

function statement(stack: Stack, sid: string): Statement {
  const found = statements(stack).find((s) => s.Sid === sid);
  expect(found).toBeDefined();
  return found!;
}

test('a service control policy attached to the declared targets', () => {
  Template.fromStack(protect({ targetIds: [ROOT, WORKLOADS, '222222222222'] })).hasResourceProperties('AWS::Organizations::Policy', {
    Type: 'SERVICE_CONTROL_POLICY',
    Name: 'GuardDutyTamperProtection',
    TargetIds: [ROOT, WORKLOADS, '222222222222'],
    Content: { Version: '2012-10-17', Statement: Match.anyValue() },
  });
});

describe('statement by statement: Deny on every resource', () => {
  test.each([
    ['DenyLeavingTheAdministrator', ['guardduty:DisassociateFromAdministratorAccount', 'guardduty:DisassociateFromMasterAccount']],
    ['DenyDisablingTheDetector', ['guardduty:DeleteDetector', 'guardduty:UpdateDetector']],
    ['DenyRemovingMembers', ['guardduty:DeleteMembers', 'guardduty:DisassociateMembers', 'guardduty:StopMonitoringMembers']],
    ['DenyChangingFindingsExport', ['guardduty:DeletePublishingDestination', 'guardduty:UpdatePublishingDestination']],
    ['DenyArchivingFilters', ['guardduty:CreateFilter', 'guardduty:UpdateFilter']],
  ])('%s denies exactly %j', (sid, actions) => {
    const found = statement(protect(), sid);
    expect(found).toMatchObject({ Effect: 'Deny', Resource: '*' });
    expect(found.Action).toEqual(actions);
  });

  test('DenyChangingThreatLists denies trusted lists being added and threat lists being changed or removed, not a threat list being added', () => {
    const found = statement(protect(), 'DenyChangingThreatLists');
    expect(found).toMatchObject({ Effect: 'Deny', Resource: '*' });
    expect(found.Action).toEqual(expect.arrayContaining(['guardduty:CreateIPSet', 'guardduty:DeleteIPSet', 'guardduty:DeleteThreatIntelSet', 'guardduty:CreateTrustedEntitySet']));
    expect(found.Action).not.toContain('guardduty:CreateThreatIntelSet');
  });

  test('six statements and nothing that reads: GuardDuty stays readable', () => {
    const all = statements(protect());
    expect(all.map((s) => s.Sid)).toHaveLength(6);
    expect(all.flatMap((s) => s.Action).filter((action) => /:(Get|List|Describe)/.test(action))).toEqual([]);
  });

  test('the attribute lists every denied action', () => {
    const stack = newStack();
    const protection = new GuardDutyTamperProtection(stack, 'TamperProtection', { targetIds: [ROOT] });
    expect(protection.deniedActions).toEqual(statements(stack).flatMap((s) => s.Action));
  });
});

describe('exemptions', () => {
  test('without any, no condition: every principal of the targets is denied', () => {
    expect(statements(protect()).map((s) => s.Condition)).toEqual(statements(protect()).map(() => undefined));
  });

  test('role ARNs and role names (as every account\'s role of that name) on every statement, with ArnNotLike on aws:PrincipalArn', () => {
    const stack = protect({ exemptRoleArns: ['arn:aws:iam::111111111111:role/security/*'], exemptRoleNames: ['cdk-*-cfn-exec-role-*', 'security/BreakGlass'] });
    for (const found of statements(stack)) {
      expect(found.Condition).toEqual({
        ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/security/*', 'arn:*:iam::*:role/cdk-*-cfn-exec-role-*', 'arn:*:iam::*:role/security/BreakGlass'] },
      });
    }
  });
});

describe('bad input at synth, naming the value', () => {
  test.each([
    [{ targetIds: [] }, /targetIds must name at least one root, organizational unit or account/],
    [{ targetIds: ['ou-workloads'] }, /targetIds\[0\]: "ou-workloads" is not a root ID \(r-xxxx\), an organizational unit ID \(ou-xxxx-xxxxxxxx\) or an account ID/],
    [{ targetIds: [ROOT, '12345'] }, /targetIds\[1\]: "12345" is not a root ID/],
    [{ targetIds: [ROOT, ROOT] }, /each target may be named once; named more than once: r-ab12/],
    [{ exemptRoleArns: ['arn:aws:sts::111111111111:assumed-role/Admin/session'] }, /exemptRoleArns\[0\]: "arn:aws:sts::111111111111:assumed-role\/Admin\/session" is not an IAM role ARN pattern/],
    [{ exemptRoleNames: ['Break Glass'] }, /exemptRoleNames\[0\]: "Break Glass" is not a role name/],
  ])('%j', (props, message) => {
    expect(() => protect(props as Partial<GuardDutyTamperProtectionProps>)).toThrow(message);
  });

  test('every problem at once, with the construct path', () => {
    expect(() => protect({ targetIds: ['x'], exemptRoleNames: ['a b'] })).toThrow(/Invalid GuardDutyTamperProtection props at Management\/TamperProtection:\n {2}targetIds\[0\].*\n {2}exemptRoleNames\[0\]/);
  });

  test('a policy over the 5,120 characters of a service control policy fails, with its size', () => {
    const many = Array.from({ length: 20 }, (_, index) => `security/team-${index}/GuardDutyOperator`);
    expect(() => protect({ exemptRoleNames: many })).toThrow(new RegExp(`the policy is \\d+ characters, over the ${SCP_MAX_CHARACTERS}`));
    expect(() => protect({ exemptRoleNames: many.slice(0, 3) })).not.toThrow();
  });

  test('deploy-time targets and role ARNs are left to AWS Organizations', () => {
    const stack = newStack();
    const target = new CfnParameter(stack, 'Target').valueAsString;
    const role = new CfnParameter(stack, 'Role').valueAsString;
    expect(() => protect({ targetIds: [target], exemptRoleArns: [role] }, stack)).not.toThrow();
  });
});
