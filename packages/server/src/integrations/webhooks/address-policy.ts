import dns from 'node:dns';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../domain/errors.ts';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has; injectable, so a test can change its answer (DNS rebinding). */
export type Lookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * Cloud metadata services. Each is in a range refused anyway (link-local, unique-local, CGNAT); they
 * are named so that a change to the classification cannot quietly let them through.
 */
const metadata = new Set(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192']);

/** IPv6 global unicast (RFC 4291 §2.4): everything else is special whatever a table says of it. */
const globalUnicast = ipaddr.parseCIDR('2000::/3');

/**
 * A public address: IPv4 in no special range (private, loopback, link-local, CGNAT, multicast,
 * reserved, documentation…), or IPv6 global unicast in no special range (ULA fc00::/7, link-local,
 * NAT64, 6to4, Teredo, documentation…). IPv4-mapped IPv6 is judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address) || metadata.has(address.toLowerCase())) return false;
  const ip = ipaddr.process(address);
  if (metadata.has(ip.toString())) return false;
  if (ip.kind() === 'ipv6' && !ip.match(globalUnicast)) return false;
  return ip.range() === 'unicast';
}

export interface AddressPolicy {
  readonly allowHttp: boolean;
  readonly allowPrivate: boolean;
  readonly lookup: Lookup;
}

const refuse = (why: string): never => {
  throw new AppError('WEBHOOK_URL_REFUSED', `The webhook URL is not allowed: ${why}.`);
};

/** The URL's scheme and form, checked without any network access. */
export function parseEndpointUrl(raw: string, policy: Pick<AddressPolicy, 'allowHttp'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('it is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) refuse('it must start with https://');
  // Credentials in a URL end up in logs and in the console: the signature is how a receiver authenticates us.
  if (url.username !== '' || url.password !== '') refuse('it must not contain a user name or password');
  if (url.hostname === '') refuse('it has no host');
  return url;
}

/** The host of an endpoint URL as a resolver takes it (an IPv6 literal without its brackets). */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Every address `host` resolves to, refused if any is not public (unless allowPrivate): a name with
 * one private address among public ones could be steered to it. An IP literal is judged as it is,
 * without a lookup. Run when an endpoint is saved and again for every connection a delivery opens,
 * which then goes to a checked address only.
 */
export async function resolveHost(host: string, policy: Pick<AddressPolicy, 'allowPrivate' | 'lookup'>): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = [...(await policy.lookup(host))];
    } catch {
      return refuse(`${host} does not resolve`);
    }
  }
  if (addresses.length === 0) refuse(`${host} does not resolve`);
  if (!policy.allowPrivate) {
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) refuse(`${host} resolves to ${blocked.address}, which is not a public address`);
  }
  return addresses;
}

/** The check run when an endpoint is created or its URL changed. */
export async function checkEndpointUrl(raw: string, policy: AddressPolicy): Promise<void> {
  await resolveHost(hostOf(parseEndpointUrl(raw, policy)), policy);
}
