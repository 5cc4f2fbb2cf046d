/**
 * Asking the user to confirm a destructive call (src/tools/confirm.ts says what is asked), in
 * the way each protocol era and transport allows:
 *
 * - 2026-07-28 requests (stdio, in memory, stateless HTTP alike): the call answers an
 *   `input_required` result carrying a form elicitation and, as `requestState`, which call and
 *   which version of the record the preview showed; the client asks the user and calls again
 *   with the answer, possibly reaching another server instance, which reads both from the retry.
 * - 2025-era connections that stay open (stdio, in memory): an `elicitation/create` request to
 *   the client while the call waits.
 * - 2025-era requests over stateless HTTP: nothing can wait for an answer there (each request is
 *   a fresh exchange), so the call runs as for a client without elicitation.
 *
 * Only a client that declared form elicitation is asked. Whatever it answers is input: the
 * command's guards still decide, and the state a client echoes back is checked for shape and for
 * naming this very call, never trusted further than the arguments the caller could send anyway.
 */
import { createHash } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type ElicitResult,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { type ConfirmationAnswer, notConfirmed, WorkstreamError } from '../domain/errors.js';
import { CONFIRM_SCHEMA, type Confirmation, confirmedArgs, type Preview } from '../tools/confirm.js';
import type { Tool } from '../tools/define.js';
import type { Actor, Deps } from '../workstream/deps.js';

/** The key of the one input request, in `inputRequests` and `inputResponses`. */
const ANSWER_KEY = 'confirm';

/** How long a 2025-era connection waits for the user (a person answers, not a program). */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/** The first protocol revision whose requests carry their own capabilities and take input_required. */
const ROUNDS_REVISION = '2026-07-28';

/** How this call can ask: by input_required rounds, by a request on the open connection, or not at all. */
type Channel = 'rounds' | 'request';

function formElicitation(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  if (elicitation === undefined) return false;
  // An empty elicitation capability is form mode (the 2025-06-18 form); a url-only one is not.
  return elicitation.form !== undefined || elicitation.url === undefined;
}

export function channelOf(server: McpServer, ctx: ServerContext): Channel | undefined {
  // The instance's era (a 2026-era instance reports that revision; a 2025-era one what initialize agreed).
  const revision = server.server.getNegotiatedProtocolVersion();
  if (revision !== undefined && revision >= ROUNDS_REVISION) {
    // The SDK types the envelope as an empty object; its capabilities key is the request's own.
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
    return formElicitation(declared) ? 'rounds' : undefined;
  }
  // 2025-era stateless HTTP: the answer would arrive as a new request no instance is waiting for.
  if (ctx.http !== undefined) return undefined;
  return formElicitation(server.server.getClientCapabilities()) ? 'request' : undefined;
}

/** What a 2026-era retry echoes back: which call was previewed, at which version of the record. */
const EchoedState = z.strictObject({
  tool: z.string(),
  id: z.string(),
  version: z.number().int().positive(),
  args: z.string(),
});
type EchoedState = z.output<typeof EchoedState>;

/** The call's own arguments (but the version), so a retry with other arguments is asked again. */
function digestOf(args: unknown): string {
  const { expectedVersion: _version, ...rest } = (args ?? {}) as Record<string, unknown>;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('base64url').slice(0, 22);
}

function echoedState(
  raw: unknown,
  tool: Tool,
  confirmation: Confirmation,
  args: unknown,
): EchoedState | undefined {
  if (typeof raw !== 'string' || raw.length > 1000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const state = EchoedState.safeParse(parsed);
  if (!state.success) return undefined;
  const { data } = state;
  const same =
    data.tool === tool.name && data.id === confirmation.subject(args) && data.args === digestOf(args);
  return same ? data : undefined;
}

function verdictOf(
  answer: { action: string; content?: Record<string, unknown> } | undefined,
): true | ConfirmationAnswer {
  if (answer === undefined) return 'no_answer';
  if (answer.action === 'cancel') return 'cancel';
  if (answer.action !== 'accept') return 'decline';
  return answer.content?.confirm === true ? true : 'decline';
}

function refuse(confirmation: Confirmation, id: string, tool: Tool, answer: ConfirmationAnswer): never {
  throw new WorkstreamError(notConfirmed(confirmation.entity, id, tool.name, answer));
}

function question(preview: Preview) {
  return {
    mode: 'form' as const,
    message: preview.message,
    requestedSchema: { ...CONFIRM_SCHEMA, required: [...CONFIRM_SCHEMA.required] },
  };
}

/**
 * Before a call of a tool that asks for confirmation: the arguments to run it with, or the
 * input_required result that asks (2026-era). Throws NOT_CONFIRMED when the user did not confirm.
 */
export async function confirmFirst(
  tool: Tool,
  confirmation: Confirmation,
  args: unknown,
  { deps, actor }: { readonly deps: Deps; readonly actor: Actor },
  channel: Channel,
  ctx: ServerContext,
): Promise<{ readonly args: unknown } | { readonly ask: InputRequiredResult }> {
  if (channel === 'rounds') {
    const state = echoedState(ctx.mcpReq.requestState(), tool, confirmation, args);
    if (state) {
      const view = inputResponse(ctx.mcpReq.inputResponses, ANSWER_KEY);
      const verdict = verdictOf(view.kind === 'elicit' ? view : undefined);
      if (verdict !== true) refuse(confirmation, state.id, tool, verdict);
      return { args: confirmedArgs(args, state.version) };
    }
    const preview = await confirmation.preview(tool.command, deps, actor, args);
    if (!preview) return { args };
    const echoed: EchoedState = {
      tool: tool.name,
      id: preview.id,
      version: preview.version,
      args: digestOf(args),
    };
    return {
      ask: inputRequired({
        inputRequests: { [ANSWER_KEY]: inputRequired.elicit(question(preview)) },
        requestState: JSON.stringify(echoed),
      }),
    };
  }
  const preview = await confirmation.preview(tool.command, deps, actor, args);
  if (!preview) return { args };
  let answer: ElicitResult | undefined;
  try {
    answer = await ctx.mcpReq.elicitInput(question(preview), {
      timeout: ANSWER_TIMEOUT_MS,
      signal: ctx.mcpReq.signal,
    });
  } catch {
    // A client that fails to ask (an error, a malformed answer, a timeout) has not confirmed.
    answer = undefined;
  }
  const verdict = verdictOf(answer);
  if (verdict !== true) refuse(confirmation, preview.id, tool, verdict);
  return { args: confirmedArgs(args, preview.version) };
}
