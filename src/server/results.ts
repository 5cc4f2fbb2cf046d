/**
 * How failures reach a client. A refusal (guard, transition, validation, not found, conflict,
 * duplicate, forbidden) is an `isError` result carrying the failure in `structuredContent` and a
 * one-line next step in text. Anything else is a defect: logged with an error id, answered with
 * that id and nothing more, never a stack trace.
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

export function refusedResult(failure: Failure): CallToolResult {
  return {
    isError: true,
    structuredContent: { error: { ...failure } },
    content: [{ type: 'text', text: failureText(failure) }],
  };
}

export function newErrorId(): string {
  return `err_${ulid()}`;
}

export function internalMessage(errorId: string): string {
  return `INTERNAL: an unexpected error stopped this call (error id ${errorId}); nothing is known to have changed. Try again; if it fails again, report the error id.`;
}

export function internalResult(errorId: string): CallToolResult {
  const message = internalMessage(errorId);
  return {
    isError: true,
    structuredContent: { error: { code: 'INTERNAL', errorId, message } },
    content: [{ type: 'text', text: message }],
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
