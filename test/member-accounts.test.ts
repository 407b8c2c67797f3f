import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MemberAccounts } from '../lib/member-accounts';

describe('MemberAccounts.fromCsv', () => {
  test('reads AccountId,Email lines', () => {
    expect(MemberAccounts.fromCsv('111111111111,a@example.com\n222222222222,b@example.com\n')).toEqual([
      { accountId: '111111111111', email: 'a@example.com' },
      { accountId: '222222222222', email: 'b@example.com' },
    ]);
  });

  test('skips a header, blank lines and a byte-order mark; tolerates CRLF, spaces and quotes', () => {
    const csv = '\uFEFFAccountId,Email\r\n\r\n  111111111111 , a@example.com \r\n"222222222222","b@example.com"\r\n';
    expect(MemberAccounts.fromCsv(csv)).toEqual([
      { accountId: '111111111111', email: 'a@example.com' },
      { accountId: '222222222222', email: 'b@example.com' },
    ]);
  });

  test('reports every malformed line with its line number', () => {
    const csv = ['AccountId,Email', '11111111111,a@example.com', '222222222222', '333333333333,not-an-email', '444444444444,d@example.com', '444444444444,e@example.com', '5,6,7'].join('\n');
    expect(() => MemberAccounts.fromCsv(csv)).toThrow(
      [
        'Malformed member accounts in CSV:',
        '  line 2: account ID "11111111111" must be exactly 12 digits (it has 11 characters)',
        '  line 3: expected 2 fields "AccountId,Email", found 1',
        '  line 4: email must contain exactly one "@", it has 0',
        '  line 6: account 444444444444 is already declared on line 5',
        '  line 7: expected 2 fields "AccountId,Email", found 3',
      ].join('\n'),
    );
  });

  test('a header anywhere but the first line is a malformed line', () => {
    expect(() => MemberAccounts.fromCsv('111111111111,a@example.com\nAccountId,Email')).toThrow(/line 2: account ID "AccountId"/);
  });

  test('an empty file is an error', () => {
    expect(() => MemberAccounts.fromCsv('AccountId,Email\n\n')).toThrow('CSV declares no member accounts');
  });
});

describe('MemberAccounts.fromCsvFile', () => {
  test('reads a file and names it in errors', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'members-'));
    const good = path.join(dir, 'good.csv');
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(good, 'AccountId,Email\n111111111111,a@example.com\n');
    fs.writeFileSync(bad, '111111111111,a@example.com\nx,y\n');

    expect(MemberAccounts.fromCsvFile(good)).toEqual([{ accountId: '111111111111', email: 'a@example.com' }]);
    expect(() => MemberAccounts.fromCsvFile(bad)).toThrow(`Malformed member accounts in ${bad}:\n  line 2: account ID "x"`);
    expect(() => MemberAccounts.fromCsvFile(path.join(dir, 'missing.csv'))).toThrow(/Cannot read the member accounts CSV file ".*missing.csv"/);
  });
});
