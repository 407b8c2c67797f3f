import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The oldest runtime the functions may get: the one this version of the library is
 * released for. (The bundles are compiled for node20 syntax, scripts/bundle-handlers.mjs,
 * so the lifecycle tests run the shipped bytes on the build machine's Node.js too.)
 */
export const MIN_NODE_MAJOR = 24;

/**
 * The runtime of every function this library creates: the newest `nodejs<N>.x` that the
 * consumer's aws-cdk-lib knows, never older than `nodejs24.x`.
 *
 * A fixed runtime falls behind the consumer's aws-cdk-lib: cdk-nag's AwsSolutions-L1
 * compares each function's runtime with the newest one in `lambda.Runtime.ALL` of the
 * aws-cdk-lib it runs with, so a package pinned to `nodejs24.x` fails that rule in every
 * app on an aws-cdk-lib that knows `nodejs26.x`. The bundles hold the AWS SDK and use only
 * Node.js's stable APIs (https, crypto, timers), so a newer major runs them; the lifecycle
 * tests run them on the build machine's Node.js. `NODEJS_LATEST` is not used: it is a
 * variable alias that aws-cdk-lib keeps at an older, region-safe version.
 */
export function handlerRuntime(): lambda.Runtime {
  return newestNodeRuntime(lambda.Runtime.ALL);
}

/** What newestNodeRuntime reads of a runtime. */
export type RuntimeInfo = Pick<lambda.Runtime, 'name' | 'family' | 'isVariable'>;

/**
 * The newest Node.js runtime of `known`, `nodejs24.x` or later. Generic so tests can pass
 * plain objects: every `new lambda.Runtime()` joins `Runtime.ALL` for the whole process.
 */
export function newestNodeRuntime<T extends RuntimeInfo>(known: readonly T[]): T {
  let newest: { runtime: T; major: number } | undefined;
  for (const runtime of known) {
    const major = nodeMajor(runtime);
    if (major !== undefined && major >= MIN_NODE_MAJOR && !runtime.isVariable && (newest === undefined || major > newest.major)) {
      newest = { runtime, major };
    }
  }
  if (newest === undefined) {
    // The peer range of aws-cdk-lib (package.json) starts at a release that knows nodejs24.x.
    throw new Error(
      `This aws-cdk-lib knows no Lambda runtime nodejs${MIN_NODE_MAJOR}.x or newer (it knows ${known.filter((r) => nodeMajor(r) !== undefined).map((r) => r.name).join(', ')}). ` +
        'Upgrade aws-cdk-lib to the version range cdk-guardduty-members declares as its peer dependency.',
    );
  }
  return newest.runtime;
}

function nodeMajor(runtime: RuntimeInfo): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  return runtime.family === lambda.RuntimeFamily.NODEJS && match ? Number(match[1]) : undefined;
}
