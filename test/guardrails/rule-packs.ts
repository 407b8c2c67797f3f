import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R4Checks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** A finding of a rule pack on one resource, after acknowledgements. */
export interface Finding {
  readonly plugin: string;
  /** cdk-nag's rule ID, or the Control Tower control (`CT.LAMBDA.PR.3`) of a cfn-guard rule. */
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
}

const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

function guardFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? guardFiles(path.join(dir, entry.name)) : entry.name.endsWith('.guard') ? [path.join(dir, entry.name)] : [],
  );
}

/**
 * The Control Tower rules that can find anything in `app`: those naming a resource type
 * the app has (a rule selects resources by their literal type), and any that names no
 * type at all. cfn-guard takes tens of seconds for all 200-odd rules on a shared 2-core
 * machine; rules for services the templates do not use would only report "not applicable".
 */
export function applicableControlTowerRules(app: IConstruct): string[] {
  const types = new Set(app.node.findAll().filter(CfnResource.isCfnResource).map((resource) => resource.cfnResourceType));
  return guardFiles(CONTROL_TOWER_RULES).filter((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const named = text.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? [];
    return named.length === 0 || named.some((type) => types.has(type));
  });
}

/**
 * Registers the six cdk-nag packs and Control Tower's proactive controls (through
 * cfn-guard) as validation plugins, the way a consumer would, with reporting instead of
 * failing, so one synthesis yields every finding. aws-cdk-lib's built-in CloudFormation
 * validation is registered too: npm test turns its automatic instance off (CDK_VALIDATION,
 * jest-global-setup.mjs), and these files are where its findings are checked.
 */
export function addAllRulePacks(app: App): void {
  Validations.of(app).addPlugins(
    new CloudFormationValidatePlugin(),
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R4Checks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
    new ServerlessChecks(app),
    new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: applicableControlTowerRules(app) }),
  );
}

/** The app's findings, read from the validation report the synthesis writes. */
export function synthesizeFindings(app: App): { findings: Finding[]; plugins: string[] } {
  const assembly = app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  const findings: Finding[] = [];
  const plugins: string[] = [];
  for (const pluginReport of report.pluginReports) {
    plugins.push(pluginReport.pluginName);
    for (const violation of pluginReport.violations) {
      const control = /^\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description ?? '')?.[1];
      for (const resource of violation.violatingConstructs) {
        findings.push({ plugin: pluginReport.pluginName, rule: control ?? violation.ruleName, severity: violation.severity, constructPath: resource.constructPath });
      }
    }
  }
  return { findings, plugins };
}

/** The context that makes a synthesis report violations in its validation report rather than throw. */
export const REPORT_INSTEAD_OF_FAILING = { '@aws-cdk/core:failSynthOnValidationErrors': false };
