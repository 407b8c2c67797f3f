import { Construct } from 'constructs';

/** What a stack of a `GuardDutyOrganizationRollout` is for. */
export enum RolloutStackRole {
  /** The management account's stack of a region: the delegated administrator designation. */
  MANAGEMENT = 'Management',
  /** The delegated administrator's stack of a region: the organization configuration and the members. */
  ADMINISTRATOR = 'Administrator',
  /** An outside account's stack of a region: its detector and the acceptance of the invitation. */
  MEMBER = 'Member',
}

/**
 * Decides where a `GuardDutyOrganizationRollout` creates each of its stacks: in which
 * `Stage`, for a pipeline whose waves group stacks more finely than one wave per role (a
 * first region as a canary, then the others).
 */
export interface IRolloutStackPlacement {
  /**
   * The scope of the stack that `role` needs in `region`, deployed to `accountId`. The
   * same scope may be returned for many stacks.
   */
  scopeFor(role: RolloutStackRole, region: string, accountId: string): Construct;
}
