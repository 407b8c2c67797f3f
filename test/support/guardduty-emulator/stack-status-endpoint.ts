import { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './http-exchange';

/**
 * CloudFormation as the handlers see it: `DescribeStacks` for the stack a request came
 * from, answering the status a test sets (what CloudFormation would be doing then:
 * `ROLLBACK_IN_PROGRESS` during the Delete after a failed Create, say). Before removing
 * members, the handlers ask whether the stack is rolling back
 * (lambda/shared/stack-rollback.ts). Served from the emulator's own port, so every Lambda
 * container reaches it through `AWS_ENDPOINT_URL_CLOUDFORMATION` with the same address.
 *
 * The SDK's CloudFormation client speaks the AWS query protocol: a form-encoded POST
 * (`Action=DescribeStacks&StackName=…&Version=2010-05-15`) answered with XML.
 */
export class StackStatusEndpoint {
  /** Not a rollback unless a test says so; `reset` restores it. */
  public status = 'UPDATE_IN_PROGRESS';
  /** Stack names asked about, in order. */
  public readonly asked: string[] = [];

  public reset(): void {
    this.status = 'UPDATE_IN_PROGRESS';
    this.asked.length = 0;
  }

  public static isQueryRequest(request: IncomingMessage): boolean {
    return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  }

  public async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(request));
    if (form.get('Action') !== 'DescribeStacks') {
      response.writeHead(400, { 'content-type': 'text/xml' });
      response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>The emulator serves only DescribeStacks, not ${escapeXml(form.get('Action') ?? '')}</Message></Error><RequestId>0</RequestId></ErrorResponse>`);
      return;
    }
    const stackName = form.get('StackName') ?? '';
    this.asked.push(stackName);
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>' +
        `<StackId>${escapeXml(stackName)}</StackId><StackName>${escapeXml(stackName.split('/')[1] ?? stackName)}</StackName>` +
        `<CreationTime>2026-11-29T00:00:00Z</CreationTime><StackStatus>${escapeXml(this.status)}</StackStatus>` +
        '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></DescribeStacksResponse>',
    );
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
