export * from './guardduty-member-invitations';
export * from './member-account';
export * from './unprocessed-accounts-action';
export * from './member-accounts';
export * from './guardduty-invitation-accepter';
export * from './guardduty-membership-monitor';
export * from './guardduty-administrator-monitor';
