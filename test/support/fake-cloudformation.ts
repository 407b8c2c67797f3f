import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * CloudFormation as the handlers see it: the status of the stack a request came from,
 * behind aws-sdk-client-mock. Tests set `status` to what CloudFormation would be doing
 * (UPDATE_ROLLBACK_IN_PROGRESS during a rollback Update, say), or `denied` to make the
 * read fail as a service control policy would.
 */
export class FakeCloudFormation {
  public readonly mock = mockClient(CloudFormationClient);
  public status = 'UPDATE_IN_PROGRESS';
  public denied = false;
  public readonly stacksAsked: string[] = [];

  constructor() {
    this.mock.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
      this.stacksAsked.push(input.StackName ?? '');
      if (this.denied) {
        throw Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' });
      }
      return { Stacks: [{ StackName: 'stack', StackId: input.StackName, StackStatus: this.status, CreationTime: new Date() }] };
    });
  }

  public restore(): void {
    this.mock.restore();
  }
}
