import { App, AppProps, Stack, StackProps, Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { GuardDutyOrganizationRollout } from '../lib/index';
import { GuardDutyOrganization, SECURITY_ACCOUNT, declareGuardDutyOrganization } from './guardduty-organization';

/**
 * The example organization in every region (./guardduty-organization.ts) deployed by a
 * CDK pipeline in the security account, in waves: first the management account's stacks
 * of every region (the delegated administrator) with the organization-wide ones (the
 * findings archive in the log-archive account, the organization's policies), then the security account's stacks of
 * every region (organization configuration and members), then each outside account's
 * stacks of every region (detector and acceptance). Within a wave the regions deploy in
 * parallel; the waves give the order the stack dependencies give `cdk deploy --all`
 * (the CDK allows no dependency across stages).
 *
 * A CodePipeline stage holds at most 50 actions, two per stack here (a change set, then
 * its execution): CDK Pipelines splits a larger stage in parts that run one after the
 * other (`Members.1`, `Members.2`…), each part's stacks in parallel.
 *
 * Before the first `cdk deploy` of the pipeline stack: bootstrap the security account,
 * and the management account and every outside account in every region, and the
 * log-archive account in us-east-1, trusting the security account
 * (`cdk bootstrap aws://ACCOUNT/REGION --trust 111111111111`); deploy the findings archive
 * stack once and put its key's ARN in cdk.json (see organization-app.ts: the pipeline
 * synthesizes before any wave deploys, so the administrators cannot wait for it); and
 * replace SOURCE_CONNECTION_ARN with the ARN of an AWS CodeConnections connection to the
 * repository. The pipeline then updates itself from the repository on every push.
 *
 * cdk-nag is not applied here: the stages deploy the stacks `npm run synth:organization`
 * checks (organization-app.ts), and the pipeline's own resources are aws-cdk-lib's
 * pipelines module defaults, whose findings are the pipeline owner's to review.
 */
export const PIPELINE_REGION = 'us-east-1';
export const SOURCE_REPOSITORY = 'example-org/guardduty-organization';
export const SOURCE_CONNECTION_ARN = `arn:aws:codeconnections:${PIPELINE_REGION}:${SECURITY_ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`;
/** CodePipeline's limit on the actions of one stage. */
export const MAX_ACTIONS_PER_STAGE = 50;

export class GuardDutyPipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;
  public readonly rollout: GuardDutyOrganizationRollout;
  public readonly organization: GuardDutyOrganization;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      // The stages deploy to other accounts: their artifacts need a KMS key those accounts may use.
      crossAccountKeys: true,
      // Stated, not left to a default: V2 is the type the recommended feature flag
      // (@aws-cdk/aws-codepipeline:defaultPipelineTypeToV2) gives new pipelines, and an
      // implicit type makes every synth warn.
      pipelineType: codepipeline.PipelineType.V2,
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection(SOURCE_REPOSITORY, 'main', { connectionArn: SOURCE_CONNECTION_ARN }),
        // This repository builds the handler bundles first; an app that installs
        // cdk-guardduty-members from npm gets them in the package and needs only npm ci.
        commands: ['npm ci', 'npm run bundle', 'npx cdk synth --app "npx tsx bin/pipeline-app.ts"'],
      }),
    });

    // One Stage per wave; the rollout puts each role's stacks of every region in its own.
    const management = new Stage(this, 'Management');
    const administrators = new Stage(this, 'Administrators');
    const members = new Stage(this, 'Members');
    this.organization = declareGuardDutyOrganization(this, { managementScope: management, administratorScope: administrators, memberScope: members });
    this.rollout = this.organization.rollout;
    this.pipeline.addWave('Management').addStage(management);
    this.pipeline.addWave('Administrators').addStage(administrators);
    this.pipeline.addWave('Members').addStage(members);
  }
}

export function buildPipelineApp(props?: AppProps): App {
  const app = new App(props);
  new GuardDutyPipelineStack(app, 'GuardDutyPipeline', { env: { account: SECURITY_ACCOUNT, region: PIPELINE_REGION } });
  return app;
}

if (require.main === module) {
  buildPipelineApp().synth();
}
