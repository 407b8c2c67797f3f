export * from './private/member-account-rules';
