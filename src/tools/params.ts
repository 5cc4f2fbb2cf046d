/**
 * The tools' input schemas: the lifecycle layer's own (src/workstream/inputs.ts), so the tools
 * publish exactly the rules the commands enforce, plus the few shapes only a tool needs.
 */
import { z } from 'zod';
import { DecideBid } from '../workstream/inputs.js';

export { EnrichCandidate } from '../workstream/enrichment.js';
export * from '../workstream/inputs.js';
export { SetBusinessCalendar, SetSlaPolicy } from '../workstream/sla-admin.js';
export { ListSlaBreaches, SlaCompliance } from '../workstream/sla-views.js';
export { GetSlaClocks, TodayPanelInput } from '../workstream/today.js';

/** get_sla_policies reads the caller's whole organization: there is nothing to ask for. */
export const GetSlaPolicies = z.object({});

/** decide_bid and decide_no_bid are the two outcomes of one command (the machine names both). */
const BidDecision = DecideBid.omit({ decision: true });
export const DecideToBid = BidDecision.extend({
  reason: DecideBid.shape.reason.unwrap().optional().describe('Why bid (optional); kept in the history.'),
});
export const DecideNoBid = BidDecision.extend({
  reason: DecideBid.shape.reason.unwrap().describe('Why not bid, in a sentence; kept in the history.'),
});
