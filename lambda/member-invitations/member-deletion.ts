import { PHYSICAL_ID_PREFIX } from '../../lib/private/invitation-contract';
import { isDetectorGone } from '../shared/guardduty-client';
import { HandlerResponse } from '../shared/provider-responses';
import { removeMembers } from './member-removal';
import { RunContext, parseOrUndefined } from './run-context';

/**
 * The resource's Delete. With DESTROY, disassociates and deletes the declared members,
 * unless CloudFormation is rolling back: then the Delete follows a failed Create (which
 * removed what it created itself) or undoes a resource added by a failed update, and the
 * declared accounts may have been members long before it. Delete never fails for work
 * already done (members or detector gone), and it reports, rather than fails on, accounts
 * GuardDuty refuses to remove: a failing Delete blocks stack deletion and rollbacks,
 * while a leftover member can be removed by hand.
 */
export async function deleteDeclaredMembers(run: RunContext, rawProperties: unknown, physicalResourceId: string): Promise<HandlerResponse> {
  const { api, log } = run;
  const settings = parseOrUndefined(rawProperties, log);
  if (!settings || settings.removalPolicy !== 'DESTROY') {
    log.info('Delete: members retained', { removalPolicy: settings?.removalPolicy ?? 'unknown' });
    return { PhysicalResourceId: physicalResourceId };
  }
  const rollback = await run.checkRollback();
  if (rollback.rollingBack) {
    log.warn('Delete during a rollback: members retained; a rollback removes no member it cannot prove the failed step created', {
      because: rollback.because,
      kept: settings.members.map((m) => m.accountId),
    });
    return { PhysicalResourceId: physicalResourceId };
  }
  const detectorId = physicalResourceId.startsWith(PHYSICAL_ID_PREFIX)
    ? physicalResourceId.slice(PHYSICAL_ID_PREFIX.length)
    : settings.detectorId ?? (await api.findDetectorId());
  if (!detectorId) {
    log.info('Delete: no detector, so no members to remove');
    return { PhysicalResourceId: physicalResourceId };
  }
  try {
    const result = await removeMembers(api, detectorId, settings.members.map((m) => m.accountId));
    const fields = { detectorId, removed: result.removed, refused: result.refused.map((u) => `${u.accountId}: ${u.result}`) };
    if (result.refused.length > 0) {
      log.warn('Delete: GuardDuty refused to remove some members; remove them by hand', fields);
    } else {
      log.info('Delete: members removed', fields);
    }
  } catch (error) {
    if (!isDetectorGone(error)) {
      throw error;
    }
    log.info('Delete: the detector no longer exists, so neither do its members', { detectorId });
  }
  return { PhysicalResourceId: physicalResourceId };
}
