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
      ServiceRole: `arn:aws:iam::${caller.accountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      CreatedAt: timestamp(detector?.createdAt),
      UpdatedAt: timestamp(detector?.updatedAt),
    };
  },

  /** Only `Enable` is emulated; the other settings are accepted and ignored. */
  UpdateDetector: (context, input) => {
    requireOwnDetector(context, input);
    if (typeof input.Enable === 'boolean') {
      context.state.setDetectorEnabled(context.caller.accountId, context.caller.region, input.Enable);
    }
    return {};
  },
};
