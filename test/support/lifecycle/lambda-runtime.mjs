/**
 * One Lambda execution environment for a function of the shipped bundle, run by
 * lambda-container.ts as a child process: plain Node.js, as in Lambda, so the bundle
 * loads exactly as it would there (its SDK imports `node:http` dynamically, which jest's
 * module sandbox cannot do). Init loads the CommonJS file named on the command line; each
 * message from the parent is one invocation, answered the way the Lambda Node.js runtime
 * reports it: the JSON result, or `{ errorType, errorMessage, trace }`. What the function
 * logs goes back with the answer (it is CloudWatch Logs here).
 *
 * Each message may also set the function's clock ahead of the wall clock (`clockOffsetMs`,
 * 0 unless the provider framework simulates the waiter's time): `Date.now()` is what a
 * handler measures a wait with, so a wait of minutes is seen to pass in a few polls.
 *
 * `RESPONSE_URL_HTTPS_PORT`, set for the provider framework's functions only, stands in
 * for a port-forwarding rule: CloudFormation's response URL is an S3 URL on port 443, and
 * the framework PUTs to it with `https.request({ hostname, path })`, dropping any port the
 * URL names. A local endpoint cannot take 443 (a privileged port, and parallel test runs
 * would share it), so this process's default HTTPS port is the local endpoint's; the
 * framework's code runs unchanged, and TLS is verified against the run's certificate
 * (`NODE_EXTRA_CA_CERTS`).
 */
import https from 'node:https';
import { createRequire } from 'node:module';
import { format } from 'node:util';

const [file, exportName] = process.argv.slice(2);
if (process.env.RESPONSE_URL_HTTPS_PORT) {
  https.globalAgent.defaultPort = Number(process.env.RESPONSE_URL_HTTPS_PORT);
}
const loadCommonJs = createRequire(import.meta.url);
const logs = [];
const wallClock = Date.now.bind(Date);
let clockOffsetMs = 0;
Date.now = () => wallClock() + clockOffsetMs;
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => logs.push(format(...args));
}
// What a function writes to stdout itself (embedded metric format lines) reaches
// CloudWatch Logs too, one log event per line.
process.stdout.write = (chunk) => {
  logs.push(...String(chunk).split('\n').filter((line) => line.length > 0));
  return true;
};

function lambdaError(error) {
  return error instanceof Error
    ? { errorType: error.name, errorMessage: error.message, trace: String(error.stack ?? '').split('\n') }
    : { errorType: 'Error', errorMessage: String(error), trace: [] };
}

let entry;
try {
  entry = loadCommonJs(file)[exportName];
  if (typeof entry !== 'function') {
    throw new Error(`${file} exports no function ${exportName}`);
  }
  process.send({ type: 'ready' });
} catch (error) {
  process.send({ type: 'init-error', error: lambdaError(error) });
}

// The test process went away: so does this container.
process.on('disconnect', () => process.exit(0));

process.on('message', async ({ id, event, budgetMs, clockOffsetMs: offset = 0 }) => {
  clockOffsetMs = offset;
  const startedAt = Date.now();
  const context = { getRemainingTimeInMillis: () => budgetMs - (Date.now() - startedAt) };
  try {
    const result = await entry(event, context);
    process.send({ type: 'result', id, result: result === undefined ? null : result, logs: logs.splice(0) });
  } catch (error) {
    process.send({ type: 'error', id, error: lambdaError(error), logs: logs.splice(0) });
  }
});
