/**
 * The workstream's application layer in one object: every command and query, each parsing its
 * input (so no caller skips validation), scoped to the caller's organization, and throwing
 * WorkstreamError with a typed failure when refused. The MCP tools are thin adapters over this.
 */
import { type Clock, systemClock } from '../domain/clock.js';
import type { Store } from '../store/connect.js';
import * as candidates from './candidates.js';
import type { Actor, Deps, EnrichmentProviderRef } from './deps.js';
import * as enrichment from './enrichment.js';
import * as inputs from './inputs.js';
import * as orgs from './orgs.js';
import * as pursuits from './pursuits.js';
import * as queries from './queries.js';
import * as signals from './signals.js';
import * as slaAdmin from './sla-admin.js';
import { sweepSlas } from './sla-sweep.js';
import * as slaViews from './sla-views.js';
import * as today from './today.js';
import { parse } from './validate.js';
import * as webhooks from './webhooks.js';

export type { Actor } from './deps.js';

export class Workstream {
  readonly deps: Deps;

  constructor(
    store: Store,
    clock: Clock = systemClock,
    options: { enrichmentProviders?: readonly EnrichmentProviderRef[] } = {},
  ) {
    this.deps = { store, clock, enrichmentProviders: options.enrichmentProviders ?? [] };
  }

  // Organizations (administration, not scoped to a caller)
  createOrg = async (input: unknown) => orgs.createOrg(this.deps, parse(orgs.CreateOrg, input));
  addMember = async (input: unknown) => orgs.addMember(this.deps, parse(orgs.AddMember, input));

  // Signals
  createSignal = async (actor: Actor, input: unknown) =>
    signals.createSignal(this.deps, actor, parse(inputs.CreateSignal, input));
  acceptSignal = async (actor: Actor, input: unknown) =>
    signals.acceptSignal(this.deps, actor, parse(inputs.AcceptSignal, input));
  dismissSignal = async (actor: Actor, input: unknown) =>
    signals.dismissSignal(this.deps, actor, parse(inputs.DismissSignal, input));

  // Candidates
  createCandidate = async (actor: Actor, input: unknown) =>
    candidates.createCandidate(this.deps, actor, parse(inputs.CreateCandidate, input));
  updateCandidate = async (actor: Actor, input: unknown) =>
    candidates.updateCandidate(this.deps, actor, parse(inputs.UpdateCandidate, input));
  logTouch = async (actor: Actor, input: unknown) =>
    candidates.logTouch(this.deps, actor, parse(inputs.LogTouch, input));
  qualifyCandidate = async (actor: Actor, input: unknown) =>
    candidates.qualifyCandidate(this.deps, actor, parse(inputs.QualifyCandidate, input));
  disqualifyCandidate = async (actor: Actor, input: unknown) =>
    candidates.disqualifyCandidate(this.deps, actor, parse(inputs.DisqualifyCandidate, input));
  reopenCandidate = async (actor: Actor, input: unknown) =>
    candidates.reopenCandidate(this.deps, actor, parse(inputs.ReopenCandidate, input));
  mergeCandidates = async (actor: Actor, input: unknown) =>
    candidates.mergeCandidates(this.deps, actor, parse(inputs.MergeCandidates, input));
  promoteCandidate = async (actor: Actor, input: unknown) =>
    candidates.promoteCandidate(this.deps, actor, parse(inputs.PromoteCandidate, input));

  // Pursuits
  updatePursuit = async (actor: Actor, input: unknown) =>
    pursuits.updatePursuit(this.deps, actor, parse(inputs.UpdatePursuit, input));
  decideBid = async (actor: Actor, input: unknown) =>
    pursuits.decideBid(this.deps, actor, parse(inputs.DecideBid, input));
  holdPursuit = async (actor: Actor, input: unknown) =>
    pursuits.holdPursuit(this.deps, actor, parse(inputs.HoldPursuit, input));
  resumePursuit = async (actor: Actor, input: unknown) =>
    pursuits.resumePursuit(this.deps, actor, parse(inputs.ResumePursuit, input));
  addProposalVersion = async (actor: Actor, input: unknown) =>
    pursuits.addProposalVersion(this.deps, actor, parse(inputs.AddProposalVersion, input));
  submitPursuit = async (actor: Actor, input: unknown) =>
    pursuits.submitPursuit(this.deps, actor, parse(inputs.SubmitPursuit, input));
  sendProposalVersion = async (actor: Actor, input: unknown) =>
    pursuits.sendProposalVersion(this.deps, actor, parse(inputs.SendProposalVersion, input));
  withdrawProposalVersion = async (actor: Actor, input: unknown) =>
    pursuits.withdrawProposalVersion(this.deps, actor, parse(inputs.WithdrawProposalVersion, input));
  logFollowUp = async (actor: Actor, input: unknown) =>
    pursuits.logFollowUp(this.deps, actor, parse(inputs.LogFollowUp, input));
  markWon = async (actor: Actor, input: unknown) =>
    pursuits.markWon(this.deps, actor, parse(inputs.MarkWon, input));
  markLost = async (actor: Actor, input: unknown) =>
    pursuits.markLost(this.deps, actor, parse(inputs.MarkLost, input));
  cancelPursuit = async (actor: Actor, input: unknown) =>
    pursuits.cancelPursuit(this.deps, actor, parse(inputs.CancelPursuit, input));
  setChecklistItem = async (actor: Actor, input: unknown) =>
    pursuits.setChecklistItem(this.deps, actor, parse(inputs.SetChecklistItem, input));

  // Webhooks
  registerWebhook = async (actor: Actor, input: unknown) =>
    webhooks.registerWebhook(this.deps, actor, parse(inputs.RegisterWebhook, input));

  // Queries
  getSignal = async (actor: Actor, input: unknown) =>
    queries.getSignal(this.deps, actor, parse(inputs.GetSignal, input).signalId);
  getCandidate = async (actor: Actor, input: unknown) =>
    queries.getCandidate(this.deps, actor, parse(inputs.GetCandidate, input).candidateId);
  getPursuit = async (actor: Actor, input: unknown) =>
    queries.getPursuit(this.deps, actor, parse(inputs.GetPursuit, input).pursuitId);
  listSignals = async (actor: Actor, input: unknown = {}) =>
    queries.listSignals(this.deps, actor, parse(inputs.ListSignals, input));
  listCandidates = async (actor: Actor, input: unknown = {}) =>
    queries.listCandidates(this.deps, actor, parse(inputs.ListCandidates, input));
  listPursuits = async (actor: Actor, input: unknown = {}) =>
    queries.listPursuits(this.deps, actor, parse(inputs.ListPursuits, input));
  history = async (actor: Actor, input: unknown) =>
    queries.history(this.deps, actor, parse(inputs.GetHistory, input));
  todayPanel = async (actor: Actor, input: unknown = {}) =>
    today.todayPanel(this.deps, actor, parse(today.TodayPanelInput, input));
  slaClocks = async (actor: Actor, input: unknown) =>
    today.openClocks(this.deps, actor, parse(today.GetSlaClocks, input));

  // SLAs
  getSlaPolicies = async (actor: Actor) => slaAdmin.getSlaPolicies(this.deps, actor);
  setSlaPolicy = async (actor: Actor, input: unknown) =>
    slaAdmin.setSlaPolicy(this.deps, actor, parse(slaAdmin.SetSlaPolicy, input));
  setBusinessCalendar = async (actor: Actor, input: unknown) =>
    slaAdmin.setBusinessCalendar(this.deps, actor, parse(slaAdmin.SetBusinessCalendar, input));
  listSlaBreaches = async (actor: Actor, input: unknown = {}) =>
    slaViews.listSlaBreaches(this.deps, actor, parse(slaViews.ListSlaBreaches, input));
  slaCompliance = async (actor: Actor, input: unknown = {}) =>
    slaViews.slaCompliance(this.deps, actor, parse(slaViews.SlaCompliance, input));
  /** The worker's duty: warnings and breaches whose time has come, each emitted once. */
  sweepSlas = async (batchSize?: number) => sweepSlas(this.deps, batchSize);

  // Enrichment
  enrichCandidate = async (actor: Actor, input: unknown) =>
    enrichment.enrichCandidate(this.deps, actor, parse(enrichment.EnrichCandidate, input));
  getEnrichment = async (actor: Actor, input: unknown) =>
    enrichment.getEnrichment(this.deps, actor, parse(inputs.GetCandidate, input).candidateId);
}
