import { decodeTime, monotonicFactory } from 'ulid';
import type { Entity } from './entities.js';
import { isOneOf } from './literals.js';

/** Prefixes let an assistant (and a person reading logs) tell what an id points at. */
export const ID_PREFIXES = [
  'org',
  'mem',
  'tok',
  'sig',
  'cand',
  'pur',
  'prop',
  'chk',
  'item',
  'tpl',
  'tpli',
  'sgn',
  'act',
  'evt',
  'cal',
  'slap',
  'clk',
  'obx',
  'dlq',
  'enr',
  'whk',
  'axs',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

export const ID_ENTITIES: Readonly<Record<IdPrefix, Entity>> = {
  org: 'organization',
  mem: 'member',
  tok: 'token',
  sig: 'signal',
  cand: 'candidate',
  pur: 'pursuit',
  prop: 'proposal_version',
  chk: 'checklist',
  sgn: 'sign_off',
  item: 'checklist_item',
  tpl: 'checklist_template',
  tpli: 'checklist_template_item',
  act: 'activity',
  evt: 'event',
  cal: 'business_calendar',
  slap: 'sla_policy',
  clk: 'sla_clock',
  obx: 'outbox_row',
  dlq: 'dead_letter',
  enr: 'enrichment',
  whk: 'webhook',
  axs: 'access_event',
};

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Monotonic within the process: ids made in one millisecond (or while the clock steps back)
 * still sort in the order they were made.
 */
const nextUlid = monotonicFactory();

/** A new id such as `cand_01JD3…`; `at` (default now, or an injected clock's time) sets its time part. */
export function newId<P extends IdPrefix>(prefix: P, at: Date = new Date()): `${P}_${string}` {
  return `${prefix}_${nextUlid(at.getTime())}`;
}

export function idPrefix(id: string): IdPrefix | null {
  const cut = id.indexOf('_');
  if (cut < 0 || !ULID.test(id.slice(cut + 1))) return null;
  const prefix = id.slice(0, cut);
  return isOneOf(ID_PREFIXES, prefix) ? prefix : null;
}

export function isIdOf(prefix: IdPrefix, id: string): boolean {
  return idPrefix(id) === prefix;
}

/** The moment an id was made, read from its time part. */
export function idTime(id: string): Date | null {
  if (idPrefix(id) === null) return null;
  return new Date(decodeTime(id.slice(id.indexOf('_') + 1)));
}
