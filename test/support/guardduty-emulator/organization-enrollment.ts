import { GuardDutyState } from './guardduty-state';

/**
 * How a delegated administrator's members come about through the organization, as the
 * GuardDuty API reference describes it: `CreateMembers` of an organization account (or
 * auto-enable) enables GuardDuty in that account and associates it at once, with no
 * invitation and no email verification, and applies the organization's auto-enable
 * settings to its features.
 *
 * Where the real service takes time (auto-enable ALL "may take up to 24 hours"), the
 * emulator applies the change at once.
 */
export function enrollThroughOrganization(state: GuardDutyState, adminId: string, region: string, accountId: string): void {
  const organization = state.organization;
  const account = organization.accounts.get(accountId);
  if (!state.detectorId(accountId, region)) {
    state.addDetector(accountId, region);
  }
  const members = state.members(adminId, region);
  const existing = members.get(accountId);
  if (existing) {
    state.setStatus(existing, 'Enabled');
  } else {
    members.set(accountId, { accountId, email: account?.email ?? `${accountId}@organization.invalid`, relationshipStatus: 'Enabled', administratorId: adminId, updatedAt: state.now() });
  }
  organization.addedThroughOrganization.add(`${adminId}/${region}/${accountId}`);
  applyFeatureAutoEnable(state, adminId, region, accountId, true);
}

/**
 * Sets the features of an organization member as the configuration's auto-enable says:
 * ALL always applies; NEW applies to an account being enrolled now.
 */
export function applyFeatureAutoEnable(state: GuardDutyState, adminId: string, region: string, accountId: string, enrolling: boolean): void {
  const configuration = state.organization.configuration(adminId, region);
  const key = `${accountId}/${region}`;
  const features = state.organization.memberFeatures.get(key) ?? new Map<string, string>();
  for (const [name, setting] of configuration.features) {
    const applies = setting.autoEnable === 'ALL' || (enrolling && setting.autoEnable === 'NEW');
    if (applies) {
      features.set(name, 'ENABLED');
    }
    for (const [additional, autoEnable] of setting.additionalConfiguration) {
      if (autoEnable === 'ALL' || (enrolling && autoEnable === 'NEW')) {
        features.set(`${name}.${additional}`, 'ENABLED');
      }
    }
  }
  state.organization.memberFeatures.set(key, features);
}

/** Organization accounts auto-enable may enroll: active, and not the administrator itself. */
export function enrollableAccounts(state: GuardDutyState, adminId: string): string[] {
  return [...state.organization.accounts.values()].filter((account) => account.state === 'ACTIVE' && account.accountId !== adminId).map((account) => account.accountId);
}

/** After UpdateOrganizationConfiguration: ALL reaches every account now (the real service: within 24 hours). */
export function applyOrganizationConfiguration(state: GuardDutyState, adminId: string, region: string): void {
  const configuration = state.organization.configuration(adminId, region);
  const members = state.members(adminId, region);
  for (const accountId of enrollableAccounts(state, adminId)) {
    const enrolled = members.get(accountId)?.relationshipStatus === 'Enabled' && state.organization.addedThroughOrganization.has(`${adminId}/${region}/${accountId}`);
    if (!enrolled && configuration.autoEnableOrganizationMembers === 'ALL') {
      enrollThroughOrganization(state, adminId, region, accountId);
    } else if (enrolled) {
      applyFeatureAutoEnable(state, adminId, region, accountId, false);
    }
  }
}

/** An account that joins the organization: every delegated administrator with NEW or ALL enrolls it. */
export function accountJoined(state: GuardDutyState, accountId: string): void {
  for (const [region, adminId] of state.organization.guardDutyAdministrators) {
    const mode = state.organization.configuration(adminId, region).autoEnableOrganizationMembers;
    if ((mode === 'NEW' || mode === 'ALL') && accountId !== adminId) {
      enrollThroughOrganization(state, adminId, region, accountId);
    }
  }
}
