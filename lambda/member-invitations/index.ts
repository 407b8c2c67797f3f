import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { HandlerError, toHandlerError } from '../shared/handler-error';
import { createLogger } from '../shared/logger';
import { CompletionResponse } from '../shared/provider-responses';
import { deleteDeclaredMembers } from './member-deletion';
import { selectionData } from './organization-members';
import { CompletionEvent, completeRun } from './run-completion';
import { declaredProperties, previousProperties, runContext } from './run-context';
import { StartResponse, startRun } from './run-start';

/**
 * The provider framework's onEvent: a Create or Update starts a run that brings the
 * detector's member list in line with the declaration (run-start.ts); a Delete removes
 * the declared members with DESTROY (member-deletion.ts).
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<StartResponse> {
  const log = createLogger({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  const run = runContext(event, context.getRemainingTimeInMillis(), log);
  try {
    switch (event.RequestType) {
      case 'Create': {
        const declared = await declaredProperties(event.ResourceProperties, run);
        return withSelection(await startRun(run, declared, undefined), declared.selection);
      }
      case 'Update': {
        const declared = await declaredProperties(event.ResourceProperties, run);
        return withSelection(await startRun(run, declared, {
          physicalResourceId: event.PhysicalResourceId,
          properties: await previousProperties(event.OldResourceProperties, run),
        }), declared.selection);
      }
      case 'Delete':
        return await deleteDeclaredMembers(run, await previousProperties(event.ResourceProperties, run), event.PhysicalResourceId);
      default:
        throw new HandlerError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete.`);
    }
  } catch (error) {
    throw toHandlerError(error, log);
  }
}

/**
 * Adds what an organization selection came to (suspended accounts skipped, accounts
 * selected) to onEvent's attributes; the provider framework keeps them when isComplete
 * answers later, since it merges isComplete's Data over onEvent's. Without a selection
 * they are there too, empty and 0: the construct exposes them in every mode, and
 * CloudFormation fails a resource whose response lacks an attribute the stack reads.
 */
function withSelection(response: StartResponse, selection: Parameters<typeof selectionData>[0]): StartResponse {
  return { ...response, Data: { ...response.Data, ...selectionData(selection) } };
}

/** The provider framework's isComplete: finishes the run onEvent started (run-completion.ts). */
export async function isComplete(event: CompletionEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CompletionResponse> {
  const log = createLogger({ step: 'isComplete', requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  try {
    return await completeRun(runContext(event, context.getRemainingTimeInMillis(), log), event);
  } catch (error) {
    throw toHandlerError(error, log);
  }
}
