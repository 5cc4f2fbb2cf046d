/** Signals: inbound indications of an opportunity, accepted into candidates or dismissed. */
import { z } from 'zod';
import { duplicate, must, validation } from '../domain/errors.js';
import { guardDismiss } from '../domain/guards.js';
import { newId } from '../domain/ids.js';
import { applyTransition } from '../domain/machine.js';
import { candidateNaturalKey } from '../domain/natural-key.js';
import { SIGNAL_MACHINE } from '../domain/signal.js';
import { toJson, violates } from '../store/dialect.js';
import type { Row } from '../store/schema.js';
import { insertCandidate, openCandidateWithKey } from './candidates.js';
import { change } from './command.js';
import type { Db } from './deps.js';
import { candidateViewOf, loadCandidate, loadSignal } from './load.js';
import {
  CandidateDetails,
  CandidateId,
  Domain,
  ExpectedVersion,
  Fields,
  Reason,
  SignalId,
  Timestamp,
  text,
} from './params.js';
import { checkVersion, refuse } from './refusals.js';
import { run } from './unit-of-work.js';
import { CandidateView, SignalView, signalView } from './views.js';

export const CreateSignal = z.strictObject({
  source: text(200).describe('e.g. "sam.gov", "referral".'),
  externalRef: text(200).describe("The source's own id."),
  kind: z.enum(['rfp_notice', 'form_fill', 'referral', 'news', 'other']).default('other'),
  title: text(400),
  url: z.url().max(700).optional(),
  accountName: text(400).optional(),
  accountDomain: Domain.optional(),
  opportunityRef: text(200).optional().describe('e.g. an RFP number.'),
  summary: text(4000).optional(),
  payload: Fields.optional(),
  receivedAt: Timestamp.optional(),
});

export const AcceptSignal = z.strictObject({
  signalId: SignalId,
  // The tool's description says what it does: links the signal to it instead of creating one.
  candidateId: CandidateId.optional(),
  title: text(400).optional(),
  accountName: text(400).optional(),
  accountDomain: Domain.optional(),
  opportunityRef: text(200).optional(),
  ...CandidateDetails,
  expectedVersion: ExpectedVersion.optional(),
});

export const DismissSignal = z.strictObject({
  signalId: SignalId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const SignalCreated = z.object({
  signal: SignalView,
  created: z.boolean().describe('False when this source + externalRef was recorded before.'),
});
export type SignalCreated = z.output<typeof SignalCreated>;

export const createSignal = change({
  input: CreateSignal,
  output: SignalCreated,
  run: async (deps, actor, input) => {
    const existing = () =>
      deps.store.db
        .selectFrom('signals')
        .selectAll()
        .where('org_id', '=', actor.orgId)
        .where('source', '=', input.source)
        .where('external_ref', '=', input.externalRef)
        .executeTakeFirstOrThrow();
    return run<SignalCreated>(
      deps,
      actor,
      async (unit) => {
        const id = newId('sig', unit.now);
        await unit.db
          .insertInto('signals')
          .values({
            id,
            org_id: unit.orgId,
            source: input.source,
            external_ref: input.externalRef,
            kind: input.kind,
            title: input.title,
            url: input.url ?? null,
            account_name: input.accountName ?? null,
            account_domain: input.accountDomain ?? null,
            opportunity_ref: input.opportunityRef ?? null,
            summary: input.summary ?? null,
            payload_json: toJson(input.payload ?? {}),
            received_at: input.receivedAt ? new Date(input.receivedAt) : unit.now,
            created_by: unit.actor.memberId,
            created_at: unit.now,
            updated_at: unit.now,
          })
          .execute();
        await unit.event({
          entityType: 'signal',
          entityId: id,
          type: 'signal.created',
          to: 'new',
          data: { source: input.source, externalRef: input.externalRef },
        });
        return { signal: signalView(await loadSignal(unit.db, unit.orgId, id)), created: true };
      },
      {
        // The natural key is enforced by the unique constraint, not by a read first: the loser of a
        // race rolls back and answers with the signal that won.
        onUniqueViolation: async (violation) => {
          if (
            !violates(
              violation,
              'signals_source_ref_key',
              'signals.org_id, signals.source, signals.external_ref',
            )
          )
            return refuse(duplicate('signal', input.externalRef));
          return { signal: signalView(await existing()), created: false };
        },
      },
    );
  },
});

export const SignalAccepted = z.object({
  signal: SignalView,
  candidate: CandidateView,
  candidateCreated: z.boolean().describe('False when the signal was linked to an existing candidate.'),
});
export type SignalAccepted = z.output<typeof SignalAccepted>;

export const acceptSignal = change({
  input: AcceptSignal,
  output: SignalAccepted,
  run: async (deps, actor, input) => {
    let naturalKey = '';
    /** A signal accepted already (by this call's first try, or a concurrent one) answers with its candidate. */
    const acceptedBefore = async (db: Db, signal: Row<'signals'>): Promise<SignalAccepted | null> => {
      if (signal.state !== 'accepted' || signal.candidate_id === null) return null;
      if (input.candidateId !== undefined && input.candidateId !== signal.candidate_id) return null;
      return {
        signal: signalView(signal),
        candidate: await candidateViewOf(
          db,
          actor.orgId,
          await loadCandidate(db, actor.orgId, signal.candidate_id),
        ),
        candidateCreated: false,
      };
    };
    return run(
      deps,
      actor,
      async (unit) => {
        const signal = await loadSignal(unit.db, unit.orgId, input.signalId);
        const replay = await acceptedBefore(unit.db, signal);
        if (replay) return replay;
        checkVersion('signal', signal, input.expectedVersion);
        const moved = must(applyTransition(SIGNAL_MACHINE, signal.state, 'accept_signal', { id: signal.id }));
        let candidateId: string;
        let candidateCreated = false;
        if (input.candidateId) {
          candidateId = (await loadCandidate(unit.db, unit.orgId, input.candidateId)).id;
        } else {
          const accountName = input.accountName ?? signal.account_name;
          if (!accountName) {
            return refuse(
              validation('accountName', `signal ${signal.id} names no account, so accountName is required.`, {
                nextStep: 'Call accept_signal again with accountName (and accountDomain if known).',
              }),
            );
          }
          const account = {
            accountName,
            accountDomain: input.accountDomain ?? signal.account_domain ?? undefined,
            opportunityRef: input.opportunityRef ?? signal.opportunity_ref ?? undefined,
          };
          // Known before the insert: a unique violation there must name the candidate holding it.
          naturalKey = candidateNaturalKey(account);
          const created = await insertCandidate(unit, {
            title: input.title ?? signal.title,
            ...account,
            priority: input.priority,
            assignee: input.assignee,
            dueAt: input.dueAt,
            estimatedValue: input.estimatedValue,
            tags: input.tags,
            fields: input.fields,
            signalId: signal.id,
          });
          candidateId = created.id;
          candidateCreated = true;
        }
        await unit.bump('signals', signal.id, signal.version, { state: moved.to, candidate_id: candidateId });
        await unit.event({
          entityType: 'signal',
          entityId: signal.id,
          type: 'signal.accepted',
          from: moved.from,
          to: moved.to,
          data: { candidateId, candidateCreated },
        });
        return {
          signal: signalView(await loadSignal(unit.db, unit.orgId, signal.id)),
          candidate: await candidateViewOf(
            unit.db,
            unit.orgId,
            await loadCandidate(unit.db, unit.orgId, candidateId),
          ),
          candidateCreated,
        };
      },
      {
        onUniqueViolation: async (violation) => {
          // Lost a race to accept this same signal: the winner's candidate is the answer.
          const replay = await deps.store.db
            .transaction()
            .execute(async (db) => acceptedBefore(db, await loadSignal(db, actor.orgId, input.signalId)));
          return replay ?? openCandidateWithKey(deps, actor, violation, naturalKey);
        },
      },
    );
  },
});

export const dismissSignal = change({
  input: DismissSignal,
  output: SignalView,
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      const signal = await loadSignal(unit.db, unit.orgId, input.signalId);
      // A retry of this dismissal: answer the signal as it is (./replays.ts).
      if (signal.state === 'dismissed' && signal.dismiss_reason === input.reason) return signalView(signal);
      checkVersion('signal', signal, input.expectedVersion);
      const moved = must(guardDismiss({ signal, reason: input.reason }));
      await unit.bump('signals', signal.id, signal.version, {
        state: moved.to,
        dismiss_reason: moved.reason,
      });
      await unit.event({
        entityType: 'signal',
        entityId: signal.id,
        type: 'signal.dismissed',
        from: moved.from,
        to: moved.to,
        reason: moved.reason,
      });
      return signalView(await loadSignal(unit.db, unit.orgId, signal.id));
    });
  },
});
