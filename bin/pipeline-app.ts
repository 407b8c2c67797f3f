import { App, AppProps, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ADMINISTRATOR_ACCOUNT, AdministratorStack, MemberStack, REGIONS, fleetMembers } from './guardduty-fleet';

/**
 * The example fleet (./guardduty-fleet.ts) deployed by a CDK pipeline in the security
 * account: a first wave deploys the administrator stage of every region (detector and
 * invitations), a second wave the member stage of every account and region (detector and
 * acceptance). Members could deploy first, since an accepter waits for its invitation,
 * but after the administrators their wait is short.
 *
 * Before the first `cdk deploy` of the pipeline stack: bootstrap the security account, and
 * every member account in every region, trusting the security account
 * (`cdk bootstrap aws://ACCOUNT/REGION --trust 111111111111`), and replace
 * SOURCE_CONNECTION_ARN with the ARN of an AWS CodeConnections connection to the
 * repository. The pipeline then updates itself from the repository on every push.
 *
 * cdk-nag is not applied here: the stages deploy the stacks `npm run synth` checks
 * (example-app.ts), and the pipeline's own resources are aws-cdk-lib's pipelines module
 * defaults, whose findings are the pipeline owner's to review.
 */
export const PIPELINE_REGION = REGIONS[0];
export const SOURCE_REPOSITORY = 'example-org/guardduty-fleet';
export const SOURCE_CONNECTION_ARN = `arn:aws:codeconnections:${PIPELINE_REGION}:${ADMINISTRATOR_ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`;

/** One region's administrator stack, as a pipeline stage. */
export class AdministratorStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    new AdministratorStack(this, 'GuardDutyAdministrator', { members: fleetMembers() });
  }
}

/** One member account's stack in one region, as a pipeline stage. */
export class MemberStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    new MemberStack(this, 'GuardDutyMember', {});
  }
}

export class GuardDutyPipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;

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

    const administrators = this.pipeline.addWave('Administrators');
    for (const region of REGIONS) {
      administrators.addStage(new AdministratorStage(this, `Administrator-${region}`, { env: { account: ADMINISTRATOR_ACCOUNT, region } }));
    }
    const members = this.pipeline.addWave('Members');
    for (const region of REGIONS) {
      for (const member of fleetMembers()) {
        members.addStage(new MemberStage(this, `Member-${member.accountId}-${region}`, { env: { account: member.accountId, region } }));
      }
    }
  }
}

export function buildPipelineApp(props?: AppProps): App {
  const app = new App(props);
  new GuardDutyPipelineStack(app, 'GuardDutyPipeline', { env: { account: ADMINISTRATOR_ACCOUNT, region: PIPELINE_REGION } });
  return app;
}

if (require.main === module) {
  buildPipelineApp().synth();
}
