import { classifyUnprocessed, partitionUnprocessed } from '../../lambda/shared/unprocessed-results';
import { RESULT } from '../support/fake-guardduty';

test.each([
  [RESULT.ALREADY_MEMBER, 'already-member'],
  [RESULT.ALREADY_INVITED, 'already-invited'],
  [RESULT.NOT_A_MEMBER, 'not-a-member'],
  [RESULT.OTHER_ADMINISTRATOR, 'refused'],
  ['The request is rejected because the current account cannot add itself as a member.', 'refused'],
  ['The request is rejected because the email address is invalid.', 'refused'],
  ['', 'refused'],
])('classifies "%s" as %s', (result, kind) => {
  expect(classifyUnprocessed(result)).toBe(kind);
});

test('partitions results into the benign kinds asked for and real refusals', () => {
  const results = [
    { accountId: '111111111111', result: RESULT.ALREADY_MEMBER },
    { accountId: '222222222222', result: RESULT.OTHER_ADMINISTRATOR },
  ];
  expect(partitionUnprocessed(results, ['already-member'])).toEqual({ benign: [results[0]], refused: [results[1]] });
  expect(partitionUnprocessed(results, ['not-a-member'])).toEqual({ benign: [], refused: results });
});
