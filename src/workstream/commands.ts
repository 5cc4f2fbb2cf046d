/**
 * Every command and query a caller can run, by name. The name is the tool's in camelCase
 * (`decide_no_bid` → `decideNoBid`); src/tools declares one tool per entry and a test holds the
 * two lists together. Administration (orgs, members) and the worker's SLA sweep are not here:
 * no assistant calls them.
 */

import { getFunnel } from '../analytics/funnel.js';
import { getOutcomes } from '../analytics/outcomes.js';
import { getPipeline } from '../analytics/pipeline.js';
import { getSlaBreakdown } from '../analytics/sla.js';
import { getVelocity } from '../analytics/velocity.js';
import * as accessEvents from './access-events.js';
import * as candidates from './candidates.js';
import * as customFields from './custom-fields.js';
import * as enrichment from './enrichment.js';
import * as members from './members.js';
import * as processConfig from './process.js';
import * as pursuits from './pursuits.js';
import * as queries from './queries.js';
import * as searching from './search.js';
import * as signals from './signals.js';
import * as slaAdmin from './sla-admin.js';
import * as slaViews from './sla-views.js';
import * as today from './today.js';
import * as webhooks from './webhooks.js';

export const COMMANDS = {
  createSignal: signals.createSignal,
  acceptSignal: signals.acceptSignal,
  dismissSignal: signals.dismissSignal,

  createCandidate: candidates.createCandidate,
  updateCandidate: candidates.updateCandidate,
  logTouch: candidates.logTouch,
  qualifyCandidate: candidates.qualifyCandidate,
  disqualifyCandidate: candidates.disqualifyCandidate,
  reopenCandidate: candidates.reopenCandidate,
  mergeCandidate: candidates.mergeCandidate,
  promoteCandidate: candidates.promoteCandidate,
  enrichCandidate: enrichment.enrichCandidate,

  updatePursuit: pursuits.updatePursuit,
  decideBid: pursuits.decideBid,
  decideNoBid: pursuits.decideNoBid,
  holdPursuit: pursuits.holdPursuit,
  resumePursuit: pursuits.resumePursuit,
  addProposalVersion: pursuits.addProposalVersion,
  submitPursuit: pursuits.submitPursuit,
  sendProposalVersion: pursuits.sendProposalVersion,
  withdrawProposalVersion: pursuits.withdrawProposalVersion,
  logFollowUp: pursuits.logFollowUp,
  markWon: pursuits.markWon,
  markLost: pursuits.markLost,
  cancelPursuit: pursuits.cancelPursuit,
  setChecklistItem: pursuits.setChecklistItem,

  registerWebhook: webhooks.registerWebhook,

  getSignal: queries.getSignal,
  getCandidate: queries.getCandidate,
  getPursuit: queries.getPursuit,
  listSignals: queries.listSignals,
  listCandidates: queries.listCandidates,
  listPursuits: queries.listPursuits,
  getHistory: queries.getHistory,
  getTodayPanel: today.getTodayPanel,
  getSlaClocks: today.getSlaClocks,
  getEnrichment: enrichment.getEnrichment,
  listMembers: members.listMembers,
  search: searching.search,

  getSlaPolicies: slaAdmin.getSlaPolicies,
  setSlaPolicy: slaAdmin.setSlaPolicy,
  getFieldSchema: customFields.getFieldSchema,
  setCustomField: customFields.setCustomField,
  setBusinessCalendar: slaAdmin.setBusinessCalendar,
  listSlaBreaches: slaViews.listSlaBreaches,
  getSlaCompliance: slaViews.getSlaCompliance,

  listAccessEvents: accessEvents.listAccessEvents,

  getProcess: processConfig.getProcess,
  setChecklistTemplate: processConfig.setChecklistTemplate,
  applyChecklistTemplate: processConfig.applyChecklistTemplate,
  setProcessRules: processConfig.setProcessRules,
  requestSignOff: processConfig.requestSignOff,
  decideSignOff: processConfig.decideSignOff,

  getFunnel,
  getOutcomes,
  getVelocity,
  getPipeline,
  getSlaBreakdown,
} as const;

export type CommandName = keyof typeof COMMANDS;
