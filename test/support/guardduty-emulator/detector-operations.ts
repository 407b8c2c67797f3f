import { OperationHandler, requireOwnDetector, timestamp } from './operation-context';

/**
 * The caller's own detector: reading it and suspending or re-enabling it. A member that
 * suspends its detector is Disabled on its administrator's side (see GuardDutyState).
 */
export const DETECTOR_OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  GetDetector: (context, input) => {
    requireOwnDetector(context, input);
    const { caller, state } = context;
    const detector = state.detector(caller.accountId, caller.region);
    return {
      Status: detector?.status,
      FindingPublishingFrequency: detector?.findingPublishingFrequency,
      ServiceRole: `arn:aws:iam::${caller.accountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      CreatedAt: timestamp(detector?.createdAt),
      UpdatedAt: timestamp(detector?.updatedAt),
    };
  },

  /**
   * `Enable` and `FindingPublishingFrequency` are emulated (the wire layer has checked the
   * frequency against the model's enum); the other settings are accepted and ignored.
   */
  UpdateDetector: (context, input) => {
    requireOwnDetector(context, input);
    const { accountId, region } = context.caller;
    if (typeof input.Enable === 'boolean') {
      context.state.setDetectorEnabled(accountId, region, input.Enable);
    }
    if (typeof input.FindingPublishingFrequency === 'string') {
      context.state.setFindingPublishingFrequency(accountId, region, input.FindingPublishingFrequency);
    }
    return {};
  },
};
