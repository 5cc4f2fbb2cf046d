/**
 * Enrichment as the lifecycle sees it: a new candidate (or enrich_candidate) writes one outbox
 * row per configured provider (`enrichment:<provider>`) and a pending enrichment row; the worker
 * calls the provider and records the result there. A failing provider never blocks or changes
 * the candidate.
 */
import { z } from 'zod';
import { CANDIDATE_ACTIONS_TABLE, permitWork } from '../domain/actions.js';
import { must, validation } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { change, query } from './command.js';
import type { EnrichmentProviderRef } from './deps.js';
import { loadCandidate } from './load.js';
import { CandidateId } from './params.js';
import { refuse } from './refusals.js';
import { run, type Unit } from './unit-of-work.js';
import { EnrichmentProvenance, EnrichmentView, enrichmentView } from './views.js';

export const EnrichCandidate = z.strictObject({
  candidateId: CandidateId,
  providers: z
    .array(z.string().trim().min(1).max(200))
    .min(1)
    .max(20)
    .optional()
    .describe('Provider names; default all.'),
});

export const ENRICHMENT_DESTINATION = 'enrichment:';

/** The outbox destinations that enrich a candidate with these providers. */
export function enrichmentDestinations(providers: readonly EnrichmentProviderRef[]): string[] {
  return providers.map((provider) => `${ENRICHMENT_DESTINATION}${provider.name}`);
}

/** Marks the candidate's enrichment pending for each provider (the event that carries the outbox rows is the caller's). */
export async function markEnrichmentPending(
  unit: Unit,
  candidateId: string,
  providers: readonly EnrichmentProviderRef[],
): Promise<void> {
  for (const provider of providers) {
    const updated = await unit.db
      .updateTable('enrichments')
      .set({
        state: 'pending',
        tool: provider.tool,
        last_error: null,
        attempts: 0,
        requested_at: unit.now,
        updated_at: unit.now,
      })
      .where('org_id', '=', unit.orgId)
      .where('candidate_id', '=', candidateId)
      .where('provider', '=', provider.name)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      await unit.db
        .insertInto('enrichments')
        .values({
          id: newId('enr', unit.now),
          org_id: unit.orgId,
          candidate_id: candidateId,
          provider: provider.name,
          tool: provider.tool,
          requested_at: unit.now,
          updated_at: unit.now,
        })
        .execute();
    }
  }
}

export const CandidateEnrichment = z.object({
  candidateId: z.string(),
  enrichment: z.array(EnrichmentView).describe('Per provider: its status and the fields it found.'),
});

export const GetEnrichment = z.strictObject({ candidateId: CandidateId });

export const EnrichmentProvenances = z.object({
  candidateId: z.string(),
  enrichment: z.array(EnrichmentProvenance),
});

export const enrichCandidate = change({
  input: EnrichCandidate,
  output: CandidateEnrichment,
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      const candidate = await loadCandidate(unit.db, unit.orgId, input.candidateId);
      must(permitWork(CANDIDATE_ACTIONS_TABLE, candidate.state, 'enrich_candidate', { id: candidate.id }));
      const configured = unit.enrichmentProviders;
      if (configured.length === 0) {
        refuse(
          validation('providers', 'No enrichment providers are configured on this server.', {
            nextStep:
              'Ask sales ops to configure providers (WORKSTREAM_ENRICHMENT_CONFIG), then call enrich_candidate again.',
          }),
        );
      }
      const unknown = (input.providers ?? []).filter((name) => !configured.some((p) => p.name === name));
      if (unknown.length > 0) {
        refuse(
          validation('providers', `Unknown enrichment provider ${unknown.join(', ')}.`, {
            nextStep: `Use one of ${configured.map((p) => p.name).join(', ')}, or omit providers for all.`,
          }),
        );
      }
      const chosen = input.providers
        ? configured.filter((p) => input.providers?.includes(p.name))
        : configured;
      await markEnrichmentPending(unit, candidate.id, chosen);
      await unit.event({
        entityType: 'candidate',
        entityId: candidate.id,
        type: 'candidate.enrichment_requested',
        data: { providers: chosen.map((p) => p.name) },
        alsoTo: enrichmentDestinations(chosen),
      });
      const rows = await unit.db
        .selectFrom('enrichments')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .where('candidate_id', '=', candidate.id)
        .orderBy('provider')
        .execute();
      return { candidateId: candidate.id, enrichment: rows.map(enrichmentView) };
    });
  },
});

export const getEnrichment = query({
  input: GetEnrichment,
  output: EnrichmentProvenances,
  run: async (deps, actor, { candidateId }) => {
    return run(deps, actor, async (unit) => {
      await loadCandidate(unit.db, unit.orgId, candidateId);
      const rows = await unit.db
        .selectFrom('enrichments')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .where('candidate_id', '=', candidateId)
        .orderBy('provider')
        .execute();
      return {
        candidateId,
        enrichment: rows.map((row) => ({ ...enrichmentView(row), raw: row.raw_json })),
      };
    });
  },
});
