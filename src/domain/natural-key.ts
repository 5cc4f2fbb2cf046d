/**
 * Suffixes that say nothing about which company it is: "Acme", "Acme Inc" and "ACME, Inc."
 * are one account.
 */
const COMPANY_SUFFIXES = new Set([
  'inc',
  'llc',
  'ltd',
  'gmbh',
  'corp',
  'co',
  'plc',
  'sa',
  'ag',
  'bv',
  'limited',
  'corporation',
  'company',
]);

export interface CandidateKeyParts {
  readonly accountDomain?: string | null;
  readonly accountName?: string | null;
  readonly opportunityRef?: string | null;
}

/**
 * The key two open candidates may not share: the account (its domain when known, as the more
 * reliable identity, else its normalised name) and the opportunity reference, joined by `|`.
 */
export function candidateNaturalKey(parts: CandidateKeyParts): string {
  const domain = normaliseDomain(parts.accountDomain ?? '');
  const account = domain === '' ? normaliseAccountName(parts.accountName ?? '') : domain;
  return `${account}|${(parts.opportunityRef ?? '').trim().toLowerCase()}`;
}

export function normaliseDomain(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^/?#@]*@/, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d*$/, '')
    .replace(/\.+$/, '')
    .replace(/^www\./, '');
}

export function normaliseAccountName(raw: string): string {
  const words = raw
    // NFKD splits "é" into "e" plus an accent mark; dropping everything but letters, digits and
    // spaces then removes the accents along with the punctuation.
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .split(/\s+/)
    .filter((w) => w !== '');
  // Keep the last word even if it is a suffix: "The Company" must not become "".
  while (words.length > 1 && COMPANY_SUFFIXES.has(words.at(-1) ?? '')) words.pop();
  return words.join(' ');
}
