import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { GuardDutyEmulator } from '../guardduty-emulator';
import { Invariants } from './invariants';
import { Deployment } from './lifecycle-harness';
import { Delivery } from './provider-framework';

/** Ends every fault on the emulator's GuardDuty and Organizations endpoints. */
export function clearAllFaults(emulator: GuardDutyEmulator): void {
  emulator.clearFaults();
  emulator.setOrganizationsFaults({});
}

/**
 * A fault sweep's redeployment: the same request again once the faults stop, as
 * CloudFormation sends it on the next deployment. It must succeed and end on its own.
 */
export async function resentWithoutFaults(check: Invariants, emulator: GuardDutyEmulator, resource: Deployment, event: CloudFormationCustomResourceEvent): Promise<Delivery> {
  clearAllFaults(emulator);
  const again = await resource.send(event);
  check.failsCleanlyInTime(again);
  expect(again.response).toMatchObject({ Status: 'SUCCESS' });
  return again;
}
