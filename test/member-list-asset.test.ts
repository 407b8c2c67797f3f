import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GuardDutyMemberInvitations, MemberAccount } from '../lib';
import { INLINE_MEMBER_LIST_MAX_BYTES } from '../lib/private/member-list-asset';

/**
 * Up to GuardDuty's 50,000 members in one construct: a list too large for the request
 * CloudFormation sends (and Step Functions passes on) goes into a CDK asset the handler
 * reads, while the template keeps what a reviewer of `cdk diff` needs.
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

test('a small list stays inline in the template, as before', () => {
  const members = fleet(3);
  const properties = resourceProperties(synth(members).template);

  expect(properties.Members).toEqual(members.map((m) => ({ AccountId: m.accountId, Email: m.email })));
  expect(properties).not.toHaveProperty('MemberList');
});

test('a list over 16 KiB goes into an asset: the template holds its location, hash, count and first IDs, not the emails', () => {
  const members = fleet(400);
  expect(Buffer.byteLength(JSON.stringify(members))).toBeGreaterThan(INLINE_MEMBER_LIST_MAX_BYTES);
  const { template } = synth(members);
  const properties = resourceProperties(template);

  expect(properties).not.toHaveProperty('Members');
  expect(properties.MemberList).toEqual({
    Bucket: { 'Fn::Sub': expect.stringMatching(/^cdk-.*-assets-/) },
    Key: expect.stringMatching(/^[0-9a-f]{64}\.json$/),
    Sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    AccountCount: '400',
    FirstAccountIds: members.slice(0, 10).map((m) => m.accountId).join(','),
  });
  expect(JSON.stringify(template.toJSON())).not.toContain('@example.com');
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
