/**
 * The demo organization's past year: deals that ran their course over the last four quarters
 * (wins, losses, no-bids, a cancellation, holds) and candidates turned away, so the analytics
 * tools have quarters, sources, owners and reasons to compare. src/demo/load-history.ts makes
 * them through the commands, in time order. Days count back from the moment the demo loads.
 */
import type { Priority } from '../domain/priority.js';
import type { Lead, Who } from './data.js';

export type Outcome = 'won' | 'lost' | 'no_bid' | 'cancelled' | 'disqualified';

export interface PastDeal {
  readonly account: string;
  readonly domain: string;
  readonly title: string;
  readonly source?: Lead['source'];
  readonly owner: Who;
  readonly priority: Priority;
  readonly tags: readonly string[];
  readonly value: number;
  /** Win probability set at promotion, in percent. */
  readonly probability: number;
  readonly outcome: Outcome;
  /** Award (won), loss reason (lost), or the no-bid, cancel or disqualification reason. */
  readonly award?: number;
  readonly reason?: string;
  /** Days before the demo's load when it came in. */
  readonly daysAgo: number;
  /** Days after it came in of each step: touched, qualified, promoted, bid decided, submitted, closed. */
  readonly days: {
    touch: number;
    qualify: number;
    promote: number;
    decide: number;
    submit: number;
    close: number;
  };
  /** A hold in capture or proposal: days after it came in, and for how long. */
  readonly hold?: { at: number; days: number };
}

const steps = (
  touch: number,
  qualify: number,
  promote: number,
  decide: number,
  submit: number,
  close: number,
) => ({
  touch,
  qualify,
  promote,
  decide,
  submit,
  close,
});

export const PAST_DEALS: readonly PastDeal[] = [
  // Four quarters ago
  {
    account: 'Harbor County',
    domain: 'harborcounty.gov',
    title: 'Transit CAD/AVL replacement',
    source: 'sam.gov',
    owner: 'dana',
    priority: 'high',
    tags: ['state-local', 'transit'],
    value: 640_000,
    probability: 40,
    outcome: 'won',
    award: 612_000,
    daysAgo: 372,
    days: steps(1, 6, 9, 14, 38, 71),
    hold: { at: 20, days: 9 },
  },
  {
    account: 'Valley Medical Group',
    domain: 'valleymed.org',
    title: 'Non-emergency transport',
    source: 'referral',
    owner: 'sam',
    priority: 'medium',
    tags: ['healthcare'],
    value: 210_000,
    probability: 50,
    outcome: 'lost',
    reason: 'price',
    daysAgo: 365,
    days: steps(2, 5, 7, 9, 26, 58),
  },
  {
    account: 'State of Oreland DOT',
    domain: 'oreland.gov',
    title: 'Fleet telematics statewide',
    source: 'sam.gov',
    owner: 'dana',
    priority: 'urgent',
    tags: ['state-local', 'fleet', 'strategic'],
    value: 1_250_000,
    probability: 35,
    outcome: 'lost',
    reason: 'incumbent',
    daysAgo: 340,
    days: steps(1, 4, 8, 12, 44, 90),
  },
  // Three quarters ago
  {
    account: 'Lakeside Transit',
    domain: 'lakesidetransit.org',
    title: 'Paratransit scheduling',
    source: 'sam.gov',
    owner: 'priya',
    priority: 'high',
    tags: ['state-local', 'transit'],
    value: 380_000,
    probability: 45,
    outcome: 'won',
    award: 371_500,
    daysAgo: 290,
    days: steps(2, 7, 10, 15, 35, 66),
  },
  {
    account: 'Granite Freight',
    domain: 'granitefreight.com',
    title: 'Yard management pilot',
    source: 'news',
    owner: 'dana',
    priority: 'low',
    tags: ['logistics'],
    value: 60_000,
    probability: 25,
    outcome: 'disqualified',
    reason: 'not_a_fit',
    daysAgo: 272,
    days: steps(2, 0, 0, 0, 0, 6),
  },
  {
    account: 'Northgate University',
    domain: 'northgate.edu',
    title: 'Campus shuttle tracking',
    source: 'referral',
    owner: 'priya',
    priority: 'medium',
    tags: ['education'],
    value: 140_000,
    probability: 55,
    outcome: 'won',
    award: 136_000,
    daysAgo: 262,
    days: steps(1, 5, 8, 11, 30, 52),
    hold: { at: 12, days: 14 },
  },
  {
    account: 'Cedar City',
    domain: 'cedarcity.gov',
    title: 'Snowplow AVL',
    source: 'sam.gov',
    owner: 'dana',
    priority: 'medium',
    tags: ['state-local', 'fleet'],
    value: 220_000,
    probability: 40,
    outcome: 'cancelled',
    reason: 'customer_cancelled',
    daysAgo: 250,
    days: steps(1, 4, 7, 10, 0, 34),
  },
  // Two quarters ago
  {
    account: 'Summit Health Partners',
    domain: 'summithp.org',
    title: 'Home-care visit routing',
    source: 'referral',
    owner: 'sam',
    priority: 'high',
    tags: ['healthcare', 'strategic'],
    value: 290_000,
    probability: 55,
    outcome: 'won',
    award: 284_000,
    daysAgo: 205,
    days: steps(1, 3, 6, 9, 27, 49),
  },
  {
    account: 'Riverbend County',
    domain: 'riverbend.gov',
    title: 'Waste collection routing',
    source: 'sam.gov',
    owner: 'priya',
    priority: 'medium',
    tags: ['state-local'],
    value: 175_000,
    probability: 35,
    outcome: 'lost',
    reason: 'price',
    daysAgo: 196,
    days: steps(2, 6, 9, 13, 33, 70),
  },
  {
    account: 'Metro Couriers',
    domain: 'metrocouriers.com',
    title: 'Same-day dispatch platform',
    source: 'website-form',
    owner: 'sam',
    priority: 'medium',
    tags: ['logistics'],
    value: 85_000,
    probability: 40,
    outcome: 'no_bid',
    reason: 'no_fit',
    daysAgo: 188,
    days: steps(1, 2, 4, 6, 0, 6),
  },
  {
    account: 'Port of Wexford',
    domain: 'portofwexford.gov',
    title: 'Drayage appointment system',
    source: 'news',
    owner: 'dana',
    priority: 'high',
    tags: ['logistics', 'federal-funded'],
    value: 510_000,
    probability: 30,
    outcome: 'lost',
    reason: 'incumbent',
    daysAgo: 180,
    days: steps(1, 5, 8, 12, 40, 82),
    hold: { at: 15, days: 10 },
  },
  {
    account: 'Oakmont Grocers',
    domain: 'oakmontgrocers.com',
    title: 'Cold-chain delivery tracking',
    source: 'website-form',
    owner: 'priya',
    priority: 'low',
    tags: ['retail'],
    value: 70_000,
    probability: 25,
    outcome: 'disqualified',
    reason: 'no_budget',
    daysAgo: 170,
    days: steps(2, 0, 0, 0, 0, 12),
  },
  // Last quarter
  {
    account: 'Fairview Township',
    domain: 'fairview-twp.gov',
    title: 'Public works fleet GPS',
    source: 'sam.gov',
    owner: 'dana',
    priority: 'medium',
    tags: ['state-local', 'fleet'],
    value: 150_000,
    probability: 50,
    outcome: 'won',
    award: 149_000,
    daysAgo: 120,
    days: steps(1, 4, 6, 9, 25, 46),
  },
  {
    account: 'Coastal Rail',
    domain: 'coastalrail.com',
    title: 'Crew scheduling',
    source: 'news',
    owner: 'priya',
    priority: 'high',
    tags: ['transit', 'strategic'],
    value: 720_000,
    probability: 30,
    outcome: 'no_bid',
    reason: 'capacity',
    daysAgo: 104,
    days: steps(2, 6, 9, 16, 0, 16),
    hold: { at: 11, days: 4 },
  },
  {
    account: 'Hillcrest Academy',
    domain: 'hillcrest.edu',
    title: 'Bus fleet maintenance',
    source: 'website-form',
    owner: 'priya',
    priority: 'low',
    tags: ['education'],
    value: 45_000,
    probability: 60,
    outcome: 'won',
    award: 44_500,
    daysAgo: 96,
    days: steps(1, 2, 4, 6, 14, 30),
  },
  {
    account: 'Kingsford County EMS',
    domain: 'kingsford-ems.gov',
    title: 'Ambulance AVL upgrade',
    source: 'sam.gov',
    owner: 'dana',
    priority: 'urgent',
    tags: ['state-local', 'healthcare'],
    value: 330_000,
    probability: 55,
    outcome: 'won',
    award: 318_000,
    daysAgo: 84,
    days: steps(1, 3, 5, 7, 24, 52),
  },
];
