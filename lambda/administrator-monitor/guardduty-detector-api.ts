import { GetAdministratorAccountCommand, GetDetectorCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { Deadline } from '../shared/deadline';
import { MemberSideState } from './membership-assessment';

/**
 * The member-side check's two GuardDuty calls. Throttling and 5xx are the SDK's adaptive
 * retry mode's job; both calls run within the check's deadline.
 */
export async function readMemberSideState(client: GuardDutyClient, deadline: Deadline, detectorId: string): Promise<MemberSideState> {
  const [administrator, detector] = await Promise.all([
    deadline.run('reading the administrator account', (abortSignal) => client.send(new GetAdministratorAccountCommand({ DetectorId: detectorId }), { abortSignal })),
    deadline.run('reading the detector', (abortSignal) => client.send(new GetDetectorCommand({ DetectorId: detectorId }), { abortSignal })),
  ]);
  const found = administrator.Administrator;
  return {
    administrator: found?.AccountId ? { accountId: found.AccountId, relationshipStatus: found.RelationshipStatus ?? 'Unknown' } : undefined,
    detectorStatus: detector.Status ?? 'Unknown',
  };
}
