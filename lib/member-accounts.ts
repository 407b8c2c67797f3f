import * as fs from 'fs';
import { MemberAccount } from './member-account';
import { accountIdProblem, emailProblem } from './private/member-account-rules';

/**
 * Member accounts declared in a CSV, in the `AccountId,Email` format of the AWS sample
 * scripts (amazon-guardduty-multiaccount-scripts), so a fleet kept in a spreadsheet can
 * be used as it is.
 */
export class MemberAccounts {
  /**
   * Reads member accounts from a CSV file (resolved against the current directory, as
   * `cdk synth` runs). See `fromCsv` for the format.
   */
  public static fromCsvFile(path: string): MemberAccount[] {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`Cannot read the member accounts CSV file "${path}": ${(error as Error).message}`, { cause: error });
    }
    return parseMemberCsv(text, path);
  }

  /**
   * Reads member accounts from CSV text: one `AccountId,Email` per line; a first line
   * `AccountId,Email` (any case) is a header and skipped; blank lines are skipped; CRLF
   * line ends, surrounding spaces and double quotes around a field are tolerated. Every
   * malformed line is reported, with its line number, in one error.
   */
  public static fromCsv(text: string): MemberAccount[] {
    return parseMemberCsv(text, 'CSV');
  }

  private constructor() {}
}

const HEADER = /^\s*"?account\s*id"?\s*,\s*"?e-?mail(\s*address)?"?\s*$/i;
const MAX_PROBLEMS_LISTED = 20;

function parseMemberCsv(text: string, source: string): MemberAccount[] {
  const members: MemberAccount[] = [];
  const problems: string[] = [];
  const firstLineOf = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '' || (index === 0 && HEADER.test(line))) {
      return;
    }
    const fields = line.split(',').map(unquote);
    if (fields.length !== 2) {
      problems.push(`line ${lineNumber}: expected 2 fields "AccountId,Email", found ${fields.length}`);
      return;
    }
    const [accountId, email] = fields;
    const problem = accountIdProblem(accountId) ?? emailProblem(email);
    if (problem) {
      problems.push(`line ${lineNumber}: ${problem}`);
      return;
    }
    const first = firstLineOf.get(accountId);
    if (first !== undefined) {
      problems.push(`line ${lineNumber}: account ${accountId} is already declared on line ${first}`);
      return;
    }
    firstLineOf.set(accountId, lineNumber);
    members.push({ accountId, email });
  });
  if (problems.length > 0) {
    const more = problems.length > MAX_PROBLEMS_LISTED ? `\n  … and ${problems.length - MAX_PROBLEMS_LISTED} more` : '';
    throw new Error(`Malformed member accounts in ${source}:\n  ${problems.slice(0, MAX_PROBLEMS_LISTED).join('\n  ')}${more}`);
  }
  if (members.length === 0) {
    throw new Error(`${source} declares no member accounts: expected lines of "AccountId,Email".`);
  }
  return members;
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
}
