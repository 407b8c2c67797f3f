import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DECLARATION_FILE, MonitorDeclaration } from './monitor-contract';

/** Where the build puts the handler bundles: `assets/` at the package root. */
const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

function bundleFile(bundleName: string, displayName: string): string {
  const file = path.join(ASSETS_DIR, bundleName, 'index.js');
  if (!fs.existsSync(file)) {
    throw new Error(`The ${displayName} bundle is missing (${file}). Run \`npm run build\` in the cdk-guardduty-members repository; the published package ships the bundle.`);
  }
  return file;
}

/** The shipped bundle as it is, for a check that needs nothing beside its environment. */
export function bundledCheckCode(bundleName: string, displayName: string): lambda.Code {
  return lambda.Code.fromAsset(path.dirname(bundleFile(bundleName, displayName)));
}

/**
 * The shipped bundle with the declaration beside it (`declaration.json`), as one asset.
 *
 * The declaration travels with the code rather than in an environment variable (Lambda
 * allows 4 KB of those, some 300 account IDs) or in S3 (a read, a grant and a bucket
 * more): it is 15 bytes an account, 750 KB at 50,000. Its directory is made by the
 * asset's local bundling step, which aws-cdk-lib runs inside the cloud assembly's own
 * directory and renames to `asset.<hash>` there: nothing lands in the system's temporary
 * directory. The hash is of the bundle and the declaration, so a changed declaration is
 * new code and redeploys the function, and two monitors with different declarations
 * never share a staged asset.
 */
export function checkCodeWithDeclaration(bundleName: string, displayName: string, declaration: MonitorDeclaration): lambda.Code {
  const file = bundleFile(bundleName, displayName);
  const declarationJson = JSON.stringify(declaration);
  const assetHash = createHash('sha256').update(fs.readFileSync(file)).update('\0').update(declarationJson).digest('hex');
  return lambda.Code.fromAsset(path.dirname(file), {
    assetHashType: AssetHashType.CUSTOM,
    assetHash,
    bundling: {
      // Required by the type, never pulled: the local step below always succeeds.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox'),
      local: {
        tryBundle(outputDir: string): boolean {
          fs.copyFileSync(file, path.join(outputDir, 'index.js'));
          fs.writeFileSync(path.join(outputDir, DECLARATION_FILE), declarationJson);
          return true;
        },
      },
    },
  });
}
