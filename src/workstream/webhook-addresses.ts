/**
 * Where a webhook may point. Deliveries carry an org's events, so an endpoint must be a public
 * HTTPS address: never loopback, private, link-local (the cloud metadata service at
 * 169.254.169.254 among them), carrier-grade NAT, unique-local, multicast or reserved space, in
 * IPv4 or IPv6 (an IPv4 address mapped into IPv6 is judged as the IPv4 one). Registration refuses
 * such a URL by its literal host; delivery resolves the name again and refuses when any address
 * it resolves to is one of them (a name can change its address after registration).
 *
 * Local development sets WORKSTREAM_WEBHOOK_ALLOW_PRIVATE=true: then http:// and every address
 * are allowed, so a receiver on 127.0.0.1 gets the events.
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export interface WebhookAddressPolicy {
  /** Allow http:// and loopback, private and link-local addresses (local development only). */
  readonly allowPrivate: boolean;
}

export const PUBLIC_WEBHOOKS_ONLY: WebhookAddressPolicy = { allowPrivate: false };

/** Names that always mean this machine or its private network, whatever DNS says. */
const LOCAL_NAMES = /(^|\.)(localhost|local|internal|home\.arpa)\.?$/i;

/** Why an address is not public, or undefined when it is a global unicast address. */
function nonPublic(address: string): string | undefined {
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? undefined : `${parsed.toString()} is a ${range} address`;
}

/** The URL's host as ipaddr reads it: brackets dropped from an IPv6 literal. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Why a webhook URL is refused when it is registered, or undefined: judged on the URL alone
 * (scheme and literal host), without resolving the name.
 */
export function refusedAtRegistration(
  text: string,
  policy: WebhookAddressPolicy = PUBLIC_WEBHOOKS_ONLY,
): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivate && url.protocol === 'http:')) {
    return `must use https:// (not ${url.protocol}//)`;
  }
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (policy.allowPrivate) return undefined;
  const host = hostOf(url);
  if (ipaddr.isValid(host)) {
    const reason = nonPublic(host);
    return reason && `must point to a public address: ${reason}`;
  }
  if (LOCAL_NAMES.test(host)) return `must point to a public address: ${host} names a local or private host`;
  return undefined;
}

export type Resolve = (host: string) => Promise<readonly string[]>;

const resolveAll: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Why a delivery to this URL is refused now, or undefined: the registration rules again, and every
 * address the host resolves to must be public. A name that does not resolve is not refused here:
 * the delivery itself fails and is retried.
 */
export async function refusedAtDelivery(
  text: string,
  policy: WebhookAddressPolicy = PUBLIC_WEBHOOKS_ONLY,
  resolve: Resolve = resolveAll,
): Promise<string | undefined> {
  const literal = refusedAtRegistration(text, policy);
  if (literal !== undefined || policy.allowPrivate) return literal;
  const host = hostOf(new URL(text));
  if (ipaddr.isValid(host)) return undefined;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch {
    return undefined;
  }
  for (const address of addresses) {
    const reason = nonPublic(address);
    if (reason !== undefined) return `${host} resolves to ${reason}; webhooks go to public addresses only`;
  }
  return undefined;
}
