/**
 * What change tools answer: the changed record's id, state, version and the actions its state
 * allows next, plus what that change made (a new id, a checklist's completion); the text beside
 * it names the record. Everything else is one get_… call away. Each answer is a pick of the
 * command's output, so parsing that output with it keeps exactly the answer.
 */
import { z } from 'zod';
import { ChecklistCompletions, ProposalVersionStates } from '../workstream/summaries.js';
import { CandidateView, PursuitView, SignalView } from '../workstream/views.js';

const CHANGED = { id: true, version: true, allowedActions: true } as const;
/** The state it is in now; the states it can be in are get_…'s to list. */
const State = { state: z.string() };

export const CandidateAnswer = CandidateView.pick(CHANGED).extend(State);
export const PursuitAnswer = PursuitView.pick(CHANGED).extend(State);
export const SignalAnswer = SignalView.pick(CHANGED).extend(State);

export const ChecklistAnswer = PursuitAnswer.extend({ checklists: ChecklistCompletions });
export const ProposalAnswer = PursuitAnswer.extend({ proposalVersions: ProposalVersionStates });
export const SignalCreatedAnswer = z.object({ signal: SignalAnswer, created: z.boolean() });
export const SignalAcceptedAnswer = z.object({
  signal: SignalAnswer,
  candidate: CandidateAnswer,
  candidateCreated: z.boolean(),
});
export const PromotedAnswer = z.object({ pursuit: PursuitAnswer, created: z.boolean() });
