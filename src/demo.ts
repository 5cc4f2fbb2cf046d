/**
 * `workstream demo`: a demo organization with a few dozen signals, candidates and pursuits in
 * every state, made through the Workstream commands (so each has its history), spread over the
 * last three weeks, with tags, priorities and due dates relative to now (some overdue).
 * Loading is idempotent by the organization's slug: a second run finds it and adds nothing.
 */
import { DEFAULT_CHECKLIST_TEMPLATES } from './domain/checklist.js';
import { ManualClock } from './domain/clock.js';
import { WorkstreamError } from './domain/errors.js';
import type { Priority } from './domain/priority.js';
import type { Store } from './store/connect.js';
import { findOrgBySlug } from './workstream/orgs.js';
import { type Actor, Workstream } from './workstream/workstream.js';

export const DEMO_SLUG = 'demo';
export const DEMO_MEMBERS = {
  dana: { email: 'dana@demo.example', name: 'Dana Demo' },
  sam: { email: 'sam@demo.example', name: 'Sam Rivera' },
  priya: { email: 'priya@demo.example', name: 'Priya Shah' },
} as const;
/** The member the demo acts as: the organization's admin, who owns most of the open work. */
export const DEMO_ACTOR = DEMO_MEMBERS.dana.email;

type Who = keyof typeof DEMO_MEMBERS;
type Plan =
  | 'signal:new'
  | 'signal:dismissed'
  | 'candidate:new'
  | 'candidate:contacted'
  | 'candidate:qualified'
  | 'candidate:disqualified'
  | 'candidate:reopened'
  | 'candidate:merged'
  | 'pursuit:capture'
  | 'pursuit:proposal'
  | 'pursuit:submitted'
  | 'pursuit:on_hold'
  | 'pursuit:won'
  | 'pursuit:lost'
  | 'pursuit:no_bid'
  | 'pursuit:cancelled';

interface Lead {
  readonly account: string;
  readonly domain: string;
  readonly title: string;
  readonly ref?: string;
  /** Signals arrive from a source; direct leads are entered as candidates. */
  readonly source?: 'sam.gov' | 'website-form' | 'referral' | 'news';
  readonly plan: Plan;
  readonly priority: Priority;
  readonly owner?: Who;
  /** Days from now; negative is overdue. */
  readonly due?: number;
  readonly tags: readonly string[];
  readonly value?: number;
  /** For merged candidates: the opportunity reference of the candidate they merge into. */
  readonly mergeInto?: string;
}

const LEADS: readonly Lead[] = [
  {
    account: 'City of Brookfield',
    domain: 'brookfield.gov',
    title: 'Fleet telematics RFP',
    ref: 'BRK-2026-014',
    source: 'sam.gov',
    plan: 'pursuit:won',
    priority: 'high',
    owner: 'dana',
    due: -6,
    tags: ['state-local', 'fleet'],
    value: 420_000,
  },
  {
    account: 'Northwind Health',
    domain: 'northwindhealth.org',
    title: 'Patient transport scheduling',
    ref: 'NWH-RFP-77',
    source: 'referral',
    plan: 'pursuit:lost',
    priority: 'medium',
    owner: 'sam',
    due: -4,
    tags: ['healthcare'],
    value: 185_000,
  },
  {
    account: 'Harbor Freight Lines',
    domain: 'harborfreightlines.com',
    title: 'Dock scheduling platform',
    ref: 'HFL-2026-03',
    plan: 'candidate:contacted',
    priority: 'high',
    owner: 'dana',
    due: 1,
    tags: ['logistics', 'strategic'],
    value: 260_000,
  },
  {
    account: 'Harbor Freight Lines',
    domain: 'harborfreightlines.com',
    title: 'Harbor Freight: yard management (duplicate entry)',
    source: 'website-form',
    plan: 'candidate:merged',
    priority: 'medium',
    owner: 'dana',
    tags: ['logistics'],
    mergeInto: 'HFL-2026-03',
  },
  {
    account: 'State Department of Transportation',
    domain: 'dot.state.example',
    title: 'Statewide traffic data exchange',
    ref: 'DOT-26-101',
    source: 'sam.gov',
    plan: 'pursuit:submitted',
    priority: 'urgent',
    owner: 'dana',
    due: -1,
    tags: ['state-local', 'federal-funded', 'strategic'],
    value: 1_250_000,
  },
  {
    account: 'Globex Energy',
    domain: 'globex-energy.com',
    title: 'Field crew dispatch',
    ref: 'GLX-5521',
    source: 'referral',
    plan: 'pursuit:proposal',
    priority: 'urgent',
    owner: 'dana',
    due: 2,
    tags: ['energy', 'strategic'],
    value: 640_000,
  },
  {
    account: 'Riverside Unified School District',
    domain: 'riversideusd.org',
    title: 'Student transportation routing',
    ref: 'RUSD-2026-09',
    source: 'sam.gov',
    plan: 'pursuit:proposal',
    priority: 'high',
    owner: 'dana',
    due: 5,
    tags: ['education', 'state-local'],
    value: 210_000,
  },
  {
    account: 'Contoso Pharma',
    domain: 'contoso-pharma.com',
    title: 'Cold-chain visibility pilot',
    ref: 'CP-PILOT-2',
    plan: 'pursuit:proposal',
    priority: 'medium',
    owner: 'priya',
    due: 9,
    tags: ['healthcare', 'pilot'],
    value: 95_000,
  },
  {
    account: 'Port Authority of Eastbay',
    domain: 'eastbayport.gov',
    title: 'Gate appointment system',
    ref: 'PAE-RFQ-33',
    source: 'sam.gov',
    plan: 'pursuit:capture',
    priority: 'high',
    owner: 'dana',
    due: 12,
    tags: ['logistics', 'state-local'],
    value: 780_000,
  },
  {
    account: 'Initech Logistics',
    domain: 'initech-logistics.com',
    title: 'Carrier onboarding portal',
    ref: 'INI-204',
    source: 'website-form',
    plan: 'pursuit:capture',
    priority: 'medium',
    owner: 'dana',
    due: 20,
    tags: ['logistics'],
    value: 120_000,
  },
  {
    account: 'Metro Transit Authority',
    domain: 'metrotransit.example',
    title: 'Paratransit booking modernisation',
    ref: 'MTA-2026-18',
    source: 'sam.gov',
    plan: 'pursuit:on_hold',
    priority: 'medium',
    owner: 'dana',
    due: 30,
    tags: ['state-local', 'transit'],
    value: 530_000,
  },
  {
    account: 'Umbra Mining',
    domain: 'umbramining.com',
    title: 'Haul truck maintenance analytics',
    ref: 'UMB-77',
    source: 'news',
    plan: 'pursuit:no_bid',
    priority: 'low',
    owner: 'sam',
    tags: ['energy'],
    value: 300_000,
  },
  {
    account: 'Fabrikam Foods',
    domain: 'fabrikamfoods.com',
    title: 'Distribution center labour planning',
    ref: 'FAB-DC-4',
    plan: 'pursuit:cancelled',
    priority: 'medium',
    owner: 'priya',
    tags: ['retail'],
    value: 150_000,
  },
  {
    account: 'County of Lakeshore',
    domain: 'lakeshorecounty.gov',
    title: 'Snow plough tracking',
    ref: 'LSC-26-02',
    source: 'sam.gov',
    plan: 'pursuit:capture',
    priority: 'urgent',
    owner: 'dana',
    due: -0.5,
    tags: ['state-local', 'fleet'],
    value: 160_000,
  },
  {
    account: 'Tailspin Air Cargo',
    domain: 'tailspincargo.com',
    title: 'ULD tracking',
    ref: 'TAC-ULD-1',
    source: 'referral',
    plan: 'pursuit:submitted',
    priority: 'high',
    owner: 'sam',
    due: 3,
    tags: ['logistics', 'aviation'],
    value: 340_000,
  },
  {
    account: 'Wide World Importers',
    domain: 'wideworldimporters.com',
    title: 'Customs document automation',
    ref: 'WWI-CUS-9',
    source: 'website-form',
    plan: 'candidate:qualified',
    priority: 'high',
    owner: 'dana',
    due: 0.2,
    tags: ['logistics', 'q3'],
    value: 175_000,
  },
  {
    account: 'Blue Yonder Airlines',
    domain: 'blueyonderair.com',
    title: 'Ground equipment telematics',
    ref: 'BYA-GSE',
    source: 'news',
    plan: 'candidate:qualified',
    priority: 'medium',
    owner: 'dana',
    due: 4,
    tags: ['aviation', 'fleet'],
    value: 220_000,
  },
  {
    account: 'Adventure Works Outdoors',
    domain: 'adventure-works.com',
    title: 'Store replenishment forecasting',
    ref: 'AWO-FC-2',
    plan: 'candidate:qualified',
    priority: 'low',
    owner: 'priya',
    due: 10,
    tags: ['retail'],
    value: 80_000,
  },
  {
    account: 'Coho Winery',
    domain: 'cohowinery.com',
    title: 'Barrel inventory tracking',
    source: 'website-form',
    plan: 'candidate:qualified',
    priority: 'medium',
    owner: 'dana',
    tags: ['retail', 'q3'],
    value: 45_000,
  },
  {
    account: 'Litware Security',
    domain: 'litware.com',
    title: 'Guard tour scheduling',
    ref: 'LIT-GT-5',
    source: 'referral',
    plan: 'candidate:contacted',
    priority: 'urgent',
    owner: 'dana',
    due: -2,
    tags: ['security', 'q3'],
    value: 90_000,
  },
  {
    account: 'Proseware Clinics',
    domain: 'proseware-clinics.com',
    title: 'Home-visit nurse routing',
    source: 'website-form',
    plan: 'candidate:contacted',
    priority: 'high',
    owner: 'dana',
    due: 2,
    tags: ['healthcare'],
    value: 130_000,
  },
  {
    account: 'Trey Research',
    domain: 'treyresearch.net',
    title: 'Lab sample courier network',
    plan: 'candidate:contacted',
    priority: 'medium',
    owner: 'sam',
    due: 6,
    tags: ['healthcare', 'logistics'],
    value: 70_000,
  },
  {
    account: 'Southridge Video',
    domain: 'southridgevideo.com',
    title: 'Field production crew scheduling',
    source: 'news',
    plan: 'candidate:reopened',
    priority: 'low',
    owner: 'dana',
    due: 14,
    tags: ['media'],
    value: 40_000,
  },
  {
    account: 'Alpine Ski House',
    domain: 'alpineskihouse.com',
    title: 'Snowcat fleet tracking',
    source: 'website-form',
    plan: 'candidate:new',
    priority: 'urgent',
    owner: 'dana',
    due: -1.5,
    tags: ['fleet', 'q3'],
    value: 60_000,
  },
  {
    account: 'Bellows College',
    domain: 'bellowscollege.edu',
    title: 'Campus shuttle tracking',
    ref: 'BC-2026-SH',
    source: 'sam.gov',
    plan: 'candidate:new',
    priority: 'high',
    owner: 'dana',
    due: 1,
    tags: ['education', 'transit'],
    value: 55_000,
  },
  {
    account: 'Graphic Design Institute',
    domain: 'graphicdesigninstitute.edu',
    title: 'Equipment loan logistics',
    source: 'website-form',
    plan: 'candidate:new',
    priority: 'medium',
    owner: 'dana',
    tags: ['education'],
  },
  {
    account: 'Margie’s Travel',
    domain: 'margiestravel.com',
    title: 'Tour bus dispatch',
    source: 'referral',
    plan: 'candidate:new',
    priority: 'medium',
    owner: 'priya',
    due: 5,
    tags: ['transit'],
    value: 35_000,
  },
  {
    account: 'Woodgrove Bank',
    domain: 'woodgrovebank.com',
    title: 'Cash-in-transit route optimisation',
    ref: 'WGB-CIT',
    plan: 'candidate:new',
    priority: 'high',
    owner: 'sam',
    due: 3,
    tags: ['security', 'finance'],
    value: 310_000,
  },
  {
    account: 'Lucerne Publishing',
    domain: 'lucernepublishing.com',
    title: 'Book distribution tracking',
    source: 'news',
    plan: 'candidate:new',
    priority: 'low',
    tags: ['retail'],
  },
  {
    account: 'Tailwind Traders',
    domain: 'tailwindtraders.com',
    title: 'Returns logistics',
    plan: 'candidate:disqualified',
    priority: 'low',
    owner: 'dana',
    tags: ['retail'],
    value: 25_000,
  },
  {
    account: 'Wingtip Toys',
    domain: 'wingtiptoys.com',
    title: 'Seasonal warehouse staffing',
    source: 'website-form',
    plan: 'candidate:disqualified',
    priority: 'medium',
    owner: 'sam',
    tags: ['retail', 'q3'],
  },
  {
    account: 'VanArsdel Ltd',
    domain: 'vanarsdel.com',
    title: 'Fleet fuel-card reconciliation',
    source: 'referral',
    plan: 'candidate:disqualified',
    priority: 'low',
    owner: 'priya',
    tags: ['fleet', 'finance'],
  },
  {
    account: 'Relecloud',
    domain: 'relecloud.com',
    title: 'Technician dispatch for data centers',
    ref: 'RLC-DC-1',
    plan: 'candidate:contacted',
    priority: 'high',
    owner: 'dana',
    due: 7,
    tags: ['strategic'],
    value: 480_000,
  },
  {
    account: 'Relecloud',
    domain: 'relecloud.com',
    title: 'Data-center technician dispatch',
    source: 'referral',
    plan: 'candidate:merged',
    priority: 'medium',
    owner: 'dana',
    tags: ['strategic'],
    mergeInto: 'RLC-DC-1',
  },
  {
    account: 'Nod Publishers',
    domain: 'nodpublishers.com',
    title: 'Newsprint delivery routing',
    source: 'news',
    plan: 'signal:dismissed',
    priority: 'low',
    tags: [],
  },
  {
    account: 'Fourth Coffee',
    domain: 'fourthcoffee.com',
    title: 'Espresso machine service scheduling',
    source: 'website-form',
    plan: 'signal:dismissed',
    priority: 'low',
    tags: [],
  },
  {
    account: 'Humongous Insurance',
    domain: 'humongousinsurance.com',
    title: 'Claims adjuster routing',
    source: 'website-form',
    plan: 'signal:dismissed',
    priority: 'low',
    tags: [],
  },
  {
    account: 'Consolidated Messenger',
    domain: 'consolidatedmessenger.com',
    title: 'Courier proof-of-delivery app',
    source: 'news',
    plan: 'signal:dismissed',
    priority: 'low',
    tags: [],
  },
  {
    account: 'School District 12',
    domain: 'sd12.k12.example',
    title: 'Bus GPS and parent app',
    ref: 'SD12-RFP-4',
    source: 'sam.gov',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
  {
    account: 'City of Oakmont',
    domain: 'oakmont.gov',
    title: 'Refuse collection route planning',
    ref: 'OAK-26-55',
    source: 'sam.gov',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
  {
    account: 'A. Datum Corporation',
    domain: 'adatum.com',
    title: 'Field survey crew scheduling',
    source: 'website-form',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
  {
    account: 'Contoso Rail',
    domain: 'contosorail.com',
    title: 'Rail car maintenance tracking',
    source: 'referral',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
  {
    account: 'Northwind Traders',
    domain: 'northwindtraders.com',
    title: 'Cross-dock automation',
    source: 'news',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
  {
    account: 'State Parks Service',
    domain: 'parks.state.example',
    title: 'Ranger vehicle telematics',
    ref: 'SPS-26-07',
    source: 'sam.gov',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
  {
    account: 'Fabrikam Residences',
    domain: 'fabrikam-residences.com',
    title: 'Maintenance technician dispatch',
    source: 'website-form',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
  {
    account: 'Olympic Freight',
    domain: 'olympicfreight.com',
    title: 'Less-than-truckload rating API',
    source: 'referral',
    plan: 'signal:new',
    priority: 'medium',
    tags: [],
  },
];

export interface DemoLoaded {
  /** False when the demo organization existed already (nothing was added). */
  readonly created: boolean;
  readonly orgId: string;
  readonly slug: string;
  readonly actorEmail: string;
  readonly counts: { signals: number; candidates: number; pursuits: number };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Loads the demo organization unless it exists; either way answers with what is there. */
export async function loadDemo(store: Store, now: Date = new Date()): Promise<DemoLoaded> {
  const existing = await findOrgBySlug({ store, clock: { now: () => now } }, DEMO_SLUG);
  if (existing) return summary(store, existing.id, false);
  const start = new Date(now.getTime() - 21 * DAY_MS);
  const clock = new ManualClock(start);
  const ws = new Workstream(store, clock);
  let orgId: string;
  let adminId: string;
  try {
    ({ orgId, adminId } = await ws.createOrg({
      name: 'Demo Co (sample data)',
      slug: DEMO_SLUG,
      admin: DEMO_MEMBERS.dana,
    }));
  } catch (error) {
    // Another `demo` run created it between our look and our insert: theirs stands.
    const raced = await findOrgBySlug({ store, clock }, DEMO_SLUG);
    if (error instanceof WorkstreamError && error.code === 'DUPLICATE' && raced)
      return summary(store, raced.id, false);
    throw error;
  }
  await ws.addMember({ orgId, ...DEMO_MEMBERS.sam });
  await ws.addMember({ orgId, ...DEMO_MEMBERS.priya });
  const actor: Actor = { orgId, memberId: adminId };

  const refs = new Map<string, string>();
  const step = (20 * DAY_MS) / LEADS.length;
  for (const [index, lead] of LEADS.entries()) {
    const planned = start.getTime() + index * step;
    if (clock.now().getTime() < planned) clock.set(new Date(planned));
    const candidateId = await enter(ws, actor, clock, lead, now);
    if (candidateId && lead.ref) refs.set(lead.ref, candidateId);
    if (candidateId) await progress(ws, actor, clock, lead, candidateId, refs, now);
  }
  return summary(store, orgId, true);
}

/** Records the lead as a signal (accepted, dismissed or left new) or a candidate; the candidate id if any. */
async function enter(
  ws: Workstream,
  actor: Actor,
  clock: ManualClock,
  lead: Lead,
  now: Date,
): Promise<string | null> {
  const details = {
    priority: lead.priority,
    ...(lead.owner ? { assignee: DEMO_MEMBERS[lead.owner].email } : {}),
    ...(lead.due === undefined ? {} : { dueAt: new Date(now.getTime() + lead.due * DAY_MS).toISOString() }),
    ...(lead.value === undefined ? {} : { estimatedValue: lead.value }),
    tags: [...lead.tags],
  };
  if (!lead.source) {
    const candidate = await ws.createCandidate(actor, {
      title: lead.title,
      accountName: lead.account,
      accountDomain: lead.domain,
      ...(lead.ref ? { opportunityRef: lead.ref } : {}),
      ...details,
    });
    return candidate.id;
  }
  const { signal } = await ws.createSignal(actor, {
    source: lead.source,
    externalRef: lead.ref ?? `${lead.domain}/${lead.title.toLowerCase().replace(/\W+/g, '-')}`,
    kind: { 'sam.gov': 'rfp_notice', 'website-form': 'form_fill', referral: 'referral', news: 'news' }[
      lead.source
    ],
    title: lead.title,
    accountName: lead.account,
    accountDomain: lead.domain,
    ...(lead.ref ? { opportunityRef: lead.ref } : {}),
    summary: `${lead.account}: ${lead.title}.`,
    receivedAt: clock.now().toISOString(),
  });
  clock.advance({ hours: 2 });
  if (lead.plan === 'signal:new') return null;
  if (lead.plan === 'signal:dismissed') {
    await ws.dismissSignal(actor, {
      signalId: signal.id,
      reason: 'Outside our service area; not a fit this year.',
    });
    return null;
  }
  const { candidate } = await ws.acceptSignal(actor, { signalId: signal.id, ...details });
  return candidate.id;
}

async function progress(
  ws: Workstream,
  actor: Actor,
  clock: ManualClock,
  lead: Lead,
  candidateId: string,
  refs: ReadonlyMap<string, string>,
  now: Date,
): Promise<void> {
  const later = (hours = 3) => clock.advance({ hours });
  const [stage = '', state = ''] = lead.plan.split(':');
  if (lead.plan === 'candidate:new') return;
  if (lead.plan === 'candidate:merged') {
    const into = refs.get(lead.mergeInto ?? '');
    if (!into) throw new Error(`demo data: ${lead.title} merges into unknown ${lead.mergeInto}`);
    await ws.mergeCandidates(actor, { candidateId, intoId: into });
    return;
  }
  later();
  await ws.logTouch(actor, {
    candidateId,
    kind: 'call',
    summary: `Intro call with ${lead.account}: scope and timeline.`,
  });
  if (lead.plan === 'candidate:contacted') return;
  if (lead.plan === 'candidate:disqualified' || lead.plan === 'candidate:reopened') {
    later();
    await ws.disqualifyCandidate(actor, {
      candidateId,
      reason: 'no_budget',
      note: 'No budget until next fiscal year.',
    });
    if (lead.plan === 'candidate:reopened') {
      later(48);
      await ws.reopenCandidate(actor, { candidateId, reason: 'Budget freed up after their board meeting.' });
    }
    return;
  }
  later();
  await ws.logTouch(actor, {
    candidateId,
    kind: 'meeting',
    summary: 'Discovery meeting: requirements, incumbents, decision process.',
  });
  await ws.qualifyCandidate(actor, { candidateId, note: 'Budget confirmed; decision this quarter.' });
  if (stage === 'candidate') return;

  later();
  const { pursuit } = await ws.promoteCandidate(actor, {
    candidateId,
    ...(lead.due === undefined ? {} : { dueAt: new Date(now.getTime() + lead.due * DAY_MS).toISOString() }),
  });
  const pursuitId = pursuit.id;
  if (state === 'capture') return;
  later();
  if (state === 'no_bid') {
    await ws.decideBid(actor, {
      pursuitId,
      decision: 'no_bid',
      reason: 'Incumbent has a five-year framework; low win probability.',
    });
    return;
  }
  if (state === 'on_hold') {
    await ws.holdPursuit(actor, {
      pursuitId,
      reason: 'Customer paused the procurement pending a budget review.',
    });
    return;
  }
  await ws.decideBid(actor, {
    pursuitId,
    decision: 'bid',
    reason: 'Strong fit and a relationship with the sponsor.',
  });
  if (state === 'cancelled') {
    later(24);
    await ws.cancelPursuit(actor, { pursuitId, reason: 'Customer withdrew the opportunity.' });
    return;
  }
  const pink = DEFAULT_CHECKLIST_TEMPLATES.pink;
  const pinkDone = state === 'proposal' ? pink.slice(0, 2) : pink.filter((item) => item.required);
  for (const item of pinkDone) {
    later(2);
    await ws.setChecklistItem(actor, { pursuitId, checklist: 'pink', itemKey: item.key, state: 'done' });
  }
  later();
  await ws.addProposalVersion(actor, {
    pursuitId,
    title: `${lead.title}: technical and price volumes, v1`,
    documentUrl: `https://docs.demo.example/${lead.domain}/proposal-v1.pdf`,
    ...(lead.value === undefined ? {} : { amount: lead.value }),
  });
  if (state === 'proposal') return;
  later();
  await ws.submitPursuit(actor, { pursuitId });
  if (state === 'submitted') {
    later(24);
    await ws.logFollowUp(actor, { pursuitId, summary: 'Confirmed receipt with the contracting officer.' });
    return;
  }
  for (const item of DEFAULT_CHECKLIST_TEMPLATES.red.filter((entry) => entry.required)) {
    later(2);
    await ws.setChecklistItem(actor, { pursuitId, checklist: 'red', itemKey: item.key, state: 'done' });
  }
  later(24);
  if (state === 'won') {
    await ws.markWon(actor, {
      pursuitId,
      awardAmount: lead.value ?? 100_000,
      note: 'Three-year contract with two option years.',
    });
  } else {
    await ws.markLost(actor, { pursuitId, lossReason: 'Price: 12% above the winning bid.' });
  }
}

async function summary(store: Store, orgId: string, created: boolean): Promise<DemoLoaded> {
  const count = async (table: 'signals' | 'candidates' | 'pursuits') => {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    created,
    orgId,
    slug: DEMO_SLUG,
    actorEmail: DEMO_ACTOR,
    counts: {
      signals: await count('signals'),
      candidates: await count('candidates'),
      pursuits: await count('pursuits'),
    },
  };
}
