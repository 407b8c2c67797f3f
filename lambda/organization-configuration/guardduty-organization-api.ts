import {
  AutoEnableMembers,
  DescribeOrganizationConfigurationCommand,
  FindingPublishingFrequency,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  OrgFeature,
  OrgFeatureAdditionalConfiguration,
  OrgFeatureStatus,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import { Deadline } from '../shared/deadline';
import { CurrentConfiguration, FeatureSetting } from './configuration-diff';

/**
 * The GuardDuty calls of the organization configuration, the handler's only I/O.
 * Throttling and 5xx are the SDK's adaptive retry mode's job; every call is bounded by
 * the deadline.
 */
export interface GuardDutyOrganizationApi {
  findDetectorId(): Promise<string | undefined>;
  /** The configuration, every page of features gathered. */
  describe(detectorId: string): Promise<CurrentConfiguration>;
  update(detectorId: string, autoEnableOrganizationMembers: string, features: readonly FeatureSetting[]): Promise<void>;
  /** The detector's FindingPublishingFrequency (GetDetector). */
  findingPublishingFrequency(detectorId: string): Promise<string | undefined>;
  /** Sets only the frequency: UpdateDetector leaves every field it is not given. */
  setFindingPublishingFrequency(detectorId: string, frequency: string): Promise<void>;
}

/** DescribeOrganizationConfiguration pages its features (50 at most); more pages than this is a token that never ends. */
const MAX_PAGES = 20;

export function guardDutyOrganizationApi(client: GuardDutyClient, deadline: Deadline): GuardDutyOrganizationApi {
  return {
    async findDetectorId() {
      const output = await deadline.run('looking up the detector', (abortSignal) => client.send(new ListDetectorsCommand({}), { abortSignal }));
      return output.DetectorIds?.[0];
    },

    async describe(detectorId) {
      let autoEnableOrganizationMembers: string | undefined;
      let memberAccountLimitReached = false;
      const features: CurrentConfiguration['features'][number][] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const output = await deadline.run('reading the organization configuration', (abortSignal) =>
          client.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId, MaxResults: 50, NextToken: nextToken }), { abortSignal }),
        );
        autoEnableOrganizationMembers ??= output.AutoEnableOrganizationMembers;
        memberAccountLimitReached ||= output.MemberAccountLimitReached === true;
        for (const feature of output.Features ?? []) {
          if (feature.Name) {
            features.push({
              name: feature.Name,
              autoEnable: feature.AutoEnable,
              additionalConfiguration: (feature.AdditionalConfiguration ?? []).flatMap((entry) => (entry.Name ? [{ name: entry.Name, autoEnable: entry.AutoEnable }] : [])),
            });
          }
        }
        nextToken = output.NextToken || undefined;
        if (nextToken === undefined) {
          break;
        }
      }
      return { autoEnableOrganizationMembers, features, memberAccountLimitReached };
    },

    async findingPublishingFrequency(detectorId) {
      const output = await deadline.run('reading the detector', (abortSignal) => client.send(new GetDetectorCommand({ DetectorId: detectorId }), { abortSignal }));
      return output.FindingPublishingFrequency;
    },

    async setFindingPublishingFrequency(detectorId, frequency) {
      // Checked against GuardDuty's values (lib/private/finding-publishing-frequency-rules.ts).
      await deadline.run('updating the detector\'s finding publishing frequency', (abortSignal) =>
        client.send(new UpdateDetectorCommand({ DetectorId: detectorId, FindingPublishingFrequency: frequency as FindingPublishingFrequency }), { abortSignal }),
      );
    },

    async update(detectorId, autoEnableOrganizationMembers, features) {
      // The values were checked against GuardDuty's (lib/private/organization-enums.ts).
      await deadline.run('updating the organization configuration', (abortSignal) =>
        client.send(
          new UpdateOrganizationConfigurationCommand({
            DetectorId: detectorId,
            AutoEnableOrganizationMembers: autoEnableOrganizationMembers as AutoEnableMembers,
            Features:
              features.length === 0
                ? undefined
                : features.map((feature) => ({
                  Name: feature.name as OrgFeature,
                  AutoEnable: feature.autoEnable as OrgFeatureStatus,
                  AdditionalConfiguration:
                      feature.additionalConfiguration.length === 0
                        ? undefined
                        : feature.additionalConfiguration.map((entry) => ({ Name: entry.name as OrgFeatureAdditionalConfiguration, AutoEnable: entry.autoEnable as OrgFeatureStatus })),
                })),
          }),
          { abortSignal },
        ),
      );
    },
  };
}
