import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Lets a handler read its own stack's status, and nothing else of CloudFormation: before
 * removing members (DESTROY) it asks whether the stack is rolling back, because a rollback
 * must never remove an account the failed step did not create
 * (lambda/shared/stack-rollback.ts). `cloudformation:DescribeStacks` supports the stack
 * resource type, so the grant names the stack's own ARN. Idempotent.
 */
export function grantStackStatusRead(role: iam.Role): void {
  const stack = Stack.of(role);
  const sid = 'ReadOwnStackStatus';
  if (grantedRoles.has(role)) {
    return;
  }
  grantedRoles.add(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid,
    actions: ['cloudformation:DescribeStacks'],
    resources: [stack.stackId],
  }));
}

const grantedRoles = new WeakSet<iam.Role>();
