import { DECLARATION_FILE, MONITOR_ENV } from '../../lib/private/monitor-contract';
import { accountIdProblem } from '../../lib/private/member-account-rules';

export interface MonitorSettings {
  readonly detectorId: string;
  readonly declaredAccountIds: readonly string[];
  readonly gracePeriodMs: number;
  /** Undefined: healing is off. */
  readonly reinviteIntervalMs?: number;
}

/**
 * Reads the settings from the environment and the declaration file beside the bundle.
 * The construct checked all of it at synth time; a function edited by hand gets an
 * error that names the bad value and where it came from instead of a wrong report.
 */
export function parseMonitorSettings(env: Readonly<Record<string, string | undefined>>, declarationText: string): MonitorSettings {
  const detectorId = env[MONITOR_ENV.DETECTOR_ID];
  if (!detectorId) {
    throw new Error(`The environment variable ${MONITOR_ENV.DETECTOR_ID} is missing or empty`);
  }
  const reinvite = env[MONITOR_ENV.REINVITE_INTERVAL_SECONDS];
  return {
    detectorId,
    declaredAccountIds: parseDeclaration(declarationText),
    gracePeriodMs: positiveSeconds(env, MONITOR_ENV.GRACE_PERIOD_SECONDS) * 1_000,
    reinviteIntervalMs: reinvite === undefined ? undefined : positiveSeconds(env, MONITOR_ENV.REINVITE_INTERVAL_SECONDS) * 1_000,
  };
}

function positiveSeconds(env: Readonly<Record<string, string | undefined>>, name: string): number {
  const value = env[name];
  const seconds = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || seconds <= 0) {
    throw new Error(`The environment variable ${name} must be a whole number of seconds above 0, got ${JSON.stringify(value)}`);
  }
  return seconds;
}

function parseDeclaration(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${DECLARATION_FILE} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const accountIds = (parsed as { accountIds?: unknown })?.accountIds;
  if (!Array.isArray(accountIds)) {
    throw new Error(`${DECLARATION_FILE} must be { "accountIds": [...] }`);
  }
  accountIds.forEach((accountId, index) => {
    const problem = accountIdProblem(accountId);
    if (problem) {
      throw new Error(`${DECLARATION_FILE} accountIds[${index}]: ${problem}`);
    }
  });
  return accountIds as string[];
}
