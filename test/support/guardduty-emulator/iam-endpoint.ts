import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { parseCaller } from './caller-identity';
import { readBody } from './http-exchange';

/** The service-linked roles the emulator knows: service principal → role name (fixed by each service). */
const SERVICE_LINKED_ROLE_NAMES: Readonly<Record<string, string>> = {
  'guardduty.amazonaws.com': 'AWSServiceRoleForAmazonGuardDuty',
  'malware-protection.guardduty.amazonaws.com': 'AWSServiceRoleForAmazonGuardDutyMalwareProtection',
};

export interface ServiceLinkedRole {
  readonly accountId: string;
  readonly serviceName: string;
  readonly roleName: string;
  readonly arn: string;
}

/**
 * IAM's `CreateServiceLinkedRole` as the delegated-administrator handler calls it, served
 * from the emulator's port for `AWS_ENDPOINT_URL_IAM`. IAM speaks the AWS query protocol
 * like CloudFormation (a form-encoded POST answered with XML), so requests are told apart
 * by the service in their SigV4 credential scope (`…/us-east-1/iam/aws4_request`).
 *
 * Roles are per account (IAM is global). A second create of the same role is refused the
 * way IAM refuses it: `InvalidInput`, "Service role name … has been taken in this account".
 */
export class IamEndpoint {
  private readonly roles = new Map<string, ServiceLinkedRole>();
  /** `<accountId> <Action> <AWSServiceName>` of every request, in order. */
  public readonly calls: string[] = [];

  public static serves(request: IncomingMessage): boolean {
    return /Credential=[^/]+\/\d{8}\/[^/]+\/iam\/aws4_request/.test(String(request.headers.authorization ?? ''));
  }

  public reset(): void {
    this.roles.clear();
    this.calls.length = 0;
  }

  /** The service-linked roles of an account. */
  public serviceLinkedRoles(accountId: string): ServiceLinkedRole[] {
    return [...this.roles.values()].filter((role) => role.accountId === accountId);
  }

  /** Seeds a role, as if the account had it before the deployment. */
  public addServiceLinkedRole(accountId: string, serviceName: string): ServiceLinkedRole {
    const roleName = SERVICE_LINKED_ROLE_NAMES[serviceName];
    if (!roleName) {
      throw new Error(`The IAM emulator knows no service-linked role for ${serviceName}`);
    }
    const role = { accountId, serviceName, roleName, arn: `arn:aws:iam::${accountId}:role/aws-service-role/${serviceName}/${roleName}` };
    this.roles.set(`${accountId}/${roleName}`, role);
    return role;
  }

  public async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(request));
    const caller = parseCaller(String(request.headers.authorization ?? ''));
    const action = form.get('Action') ?? '';
    const serviceName = form.get('AWSServiceName') ?? '';
    this.calls.push(`${caller?.accountId ?? 'anonymous'} ${action} ${serviceName}`);
    if (!caller) {
      return this.error(response, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    if (action !== 'CreateServiceLinkedRole') {
      return this.error(response, 400, 'InvalidAction', `The IAM emulator serves only CreateServiceLinkedRole, not ${action}`);
    }
    const roleName = SERVICE_LINKED_ROLE_NAMES[serviceName];
    if (!roleName) {
      return this.error(response, 400, 'InvalidInput', `Invalid or unsupported AWSServiceName: ${serviceName}`);
    }
    if (this.roles.has(`${caller.accountId}/${roleName}`)) {
      return this.error(response, 400, 'InvalidInput', `Service role name ${roleName} has been taken in this account, please try a different suffix.`);
    }
    const role = this.addServiceLinkedRole(caller.accountId, serviceName);
    const trust = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: [serviceName] }, Action: ['sts:AssumeRole'] }] }));
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      '<CreateServiceLinkedRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateServiceLinkedRoleResult><Role>' +
        `<Path>/aws-service-role/${escapeXml(serviceName)}/</Path><RoleName>${roleName}</RoleName><RoleId>AROA${caller.accountId}EMULATED</RoleId>` +
        `<Arn>${escapeXml(role.arn)}</Arn><CreateDate>2026-11-29T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${trust}</AssumeRolePolicyDocument>` +
        `</Role></CreateServiceLinkedRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></CreateServiceLinkedRoleResponse>`,
    );
  }

  private error(response: ServerResponse, statusCode: number, code: string, message: string): void {
    response.writeHead(statusCode, { 'content-type': 'text/xml' });
    response.end(
      `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>` +
        `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
