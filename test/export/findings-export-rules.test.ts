import { destinationRegionProblem, guardDutyServicePrincipal, guardDutyServicePrincipals, prefixProblem } from '../../lib/private/findings-export-rules';

describe('where a detector may export (the export guide\'s cross-region rules)', () => {
  test.each([
    ['eu-west-1', 'eu-west-1', 'eu-west-1', undefined],
    ['eu-west-1', 'us-east-1', 'us-east-1', undefined], // commercial to any commercial region
    ['me-south-1', 'us-east-1', 'us-east-1', undefined], // opt-in to a commercial region
    ['me-south-1', 'me-south-1', 'me-south-1', undefined], // opt-in to its own region
    ['eu-west-1', 'me-south-1', 'me-south-1', /bucket is in me-south-1, an opt-in region, and the detector in eu-west-1/], // commercial to opt-in
    ['af-south-1', 'me-south-1', 'me-south-1', /bucket is in me-south-1, an opt-in region, and the detector in af-south-1/], // opt-in to another opt-in
    ['eu-west-1', 'eu-west-1', 'us-east-1', /the bucket is in eu-west-1 and the KMS key in us-east-1/],
    ['eu-west-1', undefined, 'us-east-1', undefined], // a region that is a token is not checked
  ])('a detector in %s, the bucket in %s, the key in %s', (detector, bucket, key, expected) => {
    const problem = destinationRegionProblem(detector, bucket, key, 'Stack/Export');
    if (expected === undefined) {
      expect(problem).toBeUndefined();
    } else {
      expect(problem).toMatch(expected);
      expect(problem).toContain('https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html');
    }
  });
});

test('GuardDuty\'s service principal is regional in opt-in regions only', () => {
  expect(guardDutyServicePrincipal('us-east-1')).toBe('guardduty.amazonaws.com');
  expect(guardDutyServicePrincipal('me-south-1')).toBe('guardduty.me-south-1.amazonaws.com');
  expect(guardDutyServicePrincipals(['eu-west-1', 'me-south-1', 'us-east-1'])).toEqual(['guardduty.amazonaws.com', 'guardduty.me-south-1.amazonaws.com']);
});

test.each(['guardduty', 'security/guardduty', 'a.b-c_d'])('%j is a folder', (prefix) => {
  expect(prefixProblem(prefix)).toBeUndefined();
});

test.each(['', '/guardduty', 'guardduty/', 'a b', 'g*'])('%j is refused', (prefix) => {
  expect(prefixProblem(prefix)).toContain(JSON.stringify(prefix));
});
