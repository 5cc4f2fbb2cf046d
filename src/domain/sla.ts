/** The three SLAs every pursuit of work is held to, and the states of their clocks. */
export const SLA_KINDS = ['triage', 'proposal', 'response'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

export const CLOCK_STATES = ['running', 'paused', 'met', 'cancelled'] as const;
export type ClockState = (typeof CLOCK_STATES)[number];
