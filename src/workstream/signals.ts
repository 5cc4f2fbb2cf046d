/** Signals: inbound indications of an opportunity, accepted into candidates or dismissed. */
import type { z } from 'zod';
import { duplicate, must, validation } from '../domain/errors.js';
import { guardDismiss } from '../domain/guards.js';
import { newId } from '../domain/ids.js';
import { applyTransition } from '../domain/machine.js';
import { SIGNAL_MACHINE } from '../domain/signal.js';
import { toJson, violates } from '../store/dialect.js';
import { insertCandidate, openCandidateWithKey } from './candidates.js';
import type { Actor, Deps } from './deps.js';
import type { AcceptSignal, CreateSignal, DismissSignal } from './inputs.js';
import { candidateViewOf, loadCandidate, loadSignal } from './read.js';
import { checkVersion, refuse } from './refusals.js';
import { run } from './unit-of-work.js';
import { type CandidateView, type SignalView, signalView } from './views.js';

export interface SignalCreated {
  signal: SignalView;
  /** False when the source + externalRef was stored before: the first signal is returned. */
  created: boolean;
}

export async function createSignal(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof CreateSignal>,
): Promise<SignalCreated> {
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
}

export interface SignalAccepted {
  signal: SignalView;
  candidate: CandidateView;
  /** True when accepting created the candidate; false when it linked an existing one. */
  candidateCreated: boolean;
}

export async function acceptSignal(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof AcceptSignal>,
): Promise<SignalAccepted> {
  let naturalKey = '';
  return run(
    deps,
    actor,
    async (unit) => {
      const signal = await loadSignal(unit.db, unit.orgId, input.signalId);
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
        const created = await insertCandidate(unit, {
          title: input.title ?? signal.title,
          accountName,
          accountDomain: input.accountDomain ?? signal.account_domain ?? undefined,
          opportunityRef: input.opportunityRef ?? signal.opportunity_ref ?? undefined,
          priority: input.priority,
          assignee: input.assignee,
          dueAt: input.dueAt,
          estimatedValue: input.estimatedValue,
          tags: input.tags,
          fields: input.fields,
          signalId: signal.id,
        });
        candidateId = created.id;
        naturalKey = created.natural_key;
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
    { onUniqueViolation: (violation) => openCandidateWithKey(deps, actor, violation, naturalKey) },
  );
}

export async function dismissSignal(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof DismissSignal>,
): Promise<SignalView> {
  return run(deps, actor, async (unit) => {
    const signal = await loadSignal(unit.db, unit.orgId, input.signalId);
    checkVersion('signal', signal, input.expectedVersion);
    const moved = must(guardDismiss({ signal, reason: input.reason }));
    await unit.bump('signals', signal.id, signal.version, { state: moved.to, dismiss_reason: moved.reason });
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
}
