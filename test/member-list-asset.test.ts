import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GuardDutyMemberInvitations, MemberAccount, OrganizationMembers } from '../lib';

/**
 * The member list goes into a CDK asset the handler reads, never into the template (which
 * would show every member's email to anyone who can read it), while the template keeps
 * what a reviewer of `cdk diff` needs; it also lets one construct hold GuardDuty's 50,000
 * members, a list too large for the request CloudFormation sends.
 */
const DETECTOR = 'd0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5';

function fleet(count: number): MemberAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const accountId = String(200000000000 + i * 7);
    return { accountId, email: `aws-root+${accountId}@example.com` };
  });
}

function synth(members: MemberAccount[]) {
  const app = new App();
  const stack = new Stack(app, 'Administrator');
  new GuardDutyMemberInvitations(stack, 'Members', { detectorId: DETECTOR, members });
  return { stack, template: Template.fromStack(stack) };
}

function resourceProperties(template: Template): Record<string, unknown> {
  return Object.values(template.findResources('Custom::GuardDutyMemberInvitations'))[0].Properties;
}

test.each([1, 3, 400])('a list of %i goes into an asset: the template holds its location, hash, count and first IDs, never an email', (count) => {
  const members = fleet(count);
  const { template } = synth(members);
  const properties = resourceProperties(template);

  expect(properties).not.toHaveProperty('Members');
  expect(properties.MemberList).toEqual({
    Bucket: { 'Fn::Sub': expect.stringMatching(/^cdk-.*-assets-/) },
    Key: expect.stringMatching(/^[0-9a-f]{64}\.json$/),
    Sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    AccountCount: String(count),
    FirstAccountIds: members.slice(0, 10).map((m) => m.accountId).join(','),
  });
  expect(JSON.stringify(template.toJSON())).not.toContain('@example.com');
});

test('only a list holding tokens stays inline (a token cannot be written to a file), and an empty one', () => {
  const app = new App();
  const stack = new Stack(app, 'Administrator');
  const email = new CfnParameter(stack, 'MemberEmail').valueAsString;
  new GuardDutyMemberInvitations(stack, 'Members', { detectorId: DETECTOR, members: [{ accountId: '222222222222', email }] });
  new GuardDutyMemberInvitations(stack, 'Selected', { detectorId: DETECTOR, organizationMembers: OrganizationMembers.wholeOrganization() });
  const [tokens, empty] = Object.values(Template.fromStack(stack).findResources('Custom::GuardDutyMemberInvitations')).map((r) => r.Properties);

  expect(tokens.Members).toEqual([{ AccountId: '222222222222', Email: { Ref: 'MemberEmail' } }]);
  expect(empty.Members).toEqual([]);
});

test('the handler may read that one object, and no other', () => {
  const { template } = synth(fleet(400));
  const key = (resourceProperties(template).MemberList as { Key: string }).Key;

  template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`/${key.replace('.', '\\.')}$`)])] },
        },
      ]),
    },
  });
});

test('a changed list is a changed property (an Update); the same list synthesizes to the same asset', () => {
  const first = resourceProperties(synth(fleet(400)).template).MemberList as Record<string, string>;
  const again = resourceProperties(synth(fleet(400)).template).MemberList as Record<string, string>;
  const changed = resourceProperties(synth(fleet(401)).template).MemberList as Record<string, string>;

  expect(again.Key).toBe(first.Key);
  expect(changed.Key).not.toBe(first.Key);
  expect(changed.Sha256).not.toBe(first.Sha256);
  expect(changed.AccountCount).toBe('401');
});

test('50,000 members, the verification wait on (the default): the template stays small', () => {
  const { template } = synth(fleet(50_000));

  expect(Buffer.byteLength(JSON.stringify(template.toJSON()))).toBeLessThan(60_000);
  expect((resourceProperties(template).MemberList as { AccountCount: string }).AccountCount).toBe('50000');
});

test('50,001 members fail synth, naming GuardDuty\'s limit', () => {
  expect(() => synth(fleet(50_001))).toThrow(/members declares 50001 accounts; one GuardDutyMemberInvitations takes at most 50000/);
});
