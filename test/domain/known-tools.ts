/** The MCP tool names the domain's advice may mention; a typo in a hint fails the tests that use this. */
export const KNOWN_TOOLS = new Set([
  'accept_signal',
  'dismiss_signal',
  'create_signal',
  'list_signals',
  'log_touch',
  'qualify_candidate',
  'disqualify_candidate',
  'reopen_candidate',
  'merge_candidate',
  'promote_candidate',
  'list_candidates',
  'list_pursuits',
  'decide_bid',
  'decide_no_bid',
  'hold_pursuit',
  'resume_pursuit',
  'submit_pursuit',
  'mark_won',
  'mark_lost',
  'cancel_pursuit',
  'add_proposal_version',
  'send_proposal_version',
  'withdraw_proposal_version',
  'set_checklist_item',
]);

/** snake_case words in a sentence, minus the item state n_a. */
export function toolsNamedIn(sentence: string): string[] {
  return (sentence.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []).filter((w) => w !== 'n_a');
}
