// An esbuild plugin that lets the bundler drop the AWS SDK operation schemas a handler
// never uses.
//
// Each SDK v3 client ships every shape of its API in one module (dist-es/schemas/schemas_0.js,
// 216 KB for GuardDuty, 138 KB for S3), as `export var X$ = [...]` arrays. esbuild removes
// an unused declaration only if its initializer cannot have side effects, and it counts a
// computed object key as one: `{ [_e]: _c }` could call a toString. The schemas write their
// traits with keys that are module constants (`const _e = "error";`), so every schema with a
// trait was kept, and with it every string constant it names: about 100 KB of shapes for
// operations the handlers never call, in every bundle.
//
// The plugin replaces such a key with the constant's own string literal (`{ "error": _c }`),
// which is the same object, so the schemas become side-effect free and the unused ones are
// dropped. Only keys naming a `const` of a string literal in the same module are touched.

import { readFile } from 'node:fs/promises';

/** The schema modules of the SDK's ES build: the clients' and the nested clients' (STS, SSO, ...). */
const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

const STRING_CONSTANT = /^const (_[A-Za-z0-9_]+) = ("(?:[^"\\\n]|\\.)*");$/gm;
const COMPUTED_KEY = /\[(_[A-Za-z0-9_]+)\]:/g;

/** The module's source with each computed key that names a string constant written as that string. */
export function inlineConstantKeys(source) {
  const strings = new Map([...source.matchAll(STRING_CONSTANT)].map((match) => [match[1], match[2]]));
  return source.replace(COMPUTED_KEY, (key, name) => (strings.has(name) ? `${strings.get(name)}:` : key));
}

export const inlineSchemaKeys = {
  name: 'inline-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => ({
      contents: inlineConstantKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};
