/**
 * How failures reach a client. A refusal (guard, transition, validation, not found, conflict,
 * duplicate, forbidden) is an `isError` result whose text is the whole answer — `CODE: message
 * Next: next step` — and whose `_meta["workstream/error"]` carries the failure as data. Anything
 * else is a defect: logged with an error id, answered with that id and nothing more, never a
 * stack trace.
 *
 * A refusal carries no `structuredContent`, on purpose. Every tool publishes an output schema,
 * and a 2025-era client (SDK v1's `Client.callTool`) checks any structuredContent it gets against
 * that schema even on an isError result, so `{error: …}` there turned every refusal into a thrown
 * -32602 the host never showed. Both SDK generations accept an isError result without
 * structuredContent, so the failure's fields travel in `_meta`, which no client validates.
 */
import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
} from '@modelcontextprotocol/server';
import { ulid } from 'ulid';
import { type Failure, WorkstreamError } from '../domain/errors.js';
import type { Logger } from '../log.js';

export function failureText(failure: Failure): string {
  return `${failure.code}: ${failure.message} Next: ${failure.nextStep}`;
}

/** Where a refused tool result keeps the failure as data. */
export const ERROR_META_KEY = 'workstream/error';

export function refusedResult(failure: Failure): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: failureText(failure) }],
    _meta: { [ERROR_META_KEY]: { ...failure } },
  };
}

export function newErrorId(): string {
  return `err_${ulid()}`;
}

/** What an unexpected failure tells the caller: its error id and what to do, in the refusals' shape. */
function internalFailure(errorId: string) {
  return {
    code: 'INTERNAL',
    errorId,
    message: `an unexpected error stopped this call (error id ${errorId}); nothing is known to have changed.`,
    nextStep: 'Try again; if it fails again, report the error id.',
  } as const;
}

export function internalMessage(errorId: string): string {
  const failure = internalFailure(errorId);
  return `${failure.code}: ${failure.message} Next: ${failure.nextStep}`;
}

export function internalResult(errorId: string): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: internalMessage(errorId) }],
    _meta: { [ERROR_META_KEY]: internalFailure(errorId) },
  };
}

/**
 * For resources and prompts, which have no isError channel: a refusal becomes a JSON-RPC error
 * whose message is the failure's text and whose data is the failure; a defect is logged and
 * answered with its error id. NOT_FOUND is the SDK's resource-not-found error.
 */
export function protocolErrorOf(
  error: unknown,
  log: Logger,
  context: { uri?: string; prompt?: string },
): Error {
  if (error instanceof WorkstreamError) {
    if (error.failure.code === 'NOT_FOUND' && context.uri !== undefined)
      return new ResourceNotFoundError(context.uri, failureText(error.failure));
    return new ProtocolError(ProtocolErrorCode.InvalidParams, failureText(error.failure), {
      error: error.failure,
    });
  }
  const errorId = newErrorId();
  log.error({ err: error, errorId, ...context }, 'resource or prompt failed');
  return new ProtocolError(ProtocolErrorCode.InternalError, internalMessage(errorId), { errorId });
}
