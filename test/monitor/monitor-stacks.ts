import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

const outdirs: string[] = [];

/**
 * A stack in an app whose cloud assembly goes to a temporary directory this module
 * removes (removeTestAssemblies), so the tests leave nothing in the system temp dir.
 */
export function newStack(id = 'Administrator', env = { account: '111111111111', region: 'eu-west-1' }): Stack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardduty-members-monitor-'));
  outdirs.push(outdir);
  return new Stack(new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } }), id, { env });
}

export function removeTestAssemblies(): void {
  outdirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

/** The files of the staged asset of the stack's one function whose logical ID contains `hint`. */
export function stagedAssetOf(stack: Stack, hint: string): string {
  const assembly = (stack.node.root as App).synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const fn = Object.entries<{ Type: string; Metadata?: Record<string, string> }>(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes(hint));
  if (!fn) {
    throw new Error(`no function ${hint}`);
  }
  return path.join(assembly.directory, String(fn[1].Metadata?.['aws:asset:path']));
}
