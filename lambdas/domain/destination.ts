import { BlockList, isIP, isIPv4 } from 'node:net';
import { REFUSABLE_CLASSES } from './vocabulary.js';
export { REFUSABLE_CLASSES };

/**
 * What kind of address a tenant-supplied destination (its IdP's key set, its
 * SMTP server, its advisory webhook) points at. A site connects only to
 * public addresses, and to loopback on the local stage; everything else —
 * private networks, link-local and the cloud's instance metadata service,
 * shared (carrier-grade NAT) space, multicast — is inside someone's network,
 * not a tenant's server on the internet. Pure: no lookups here.
 */
export type RefusableClass = (typeof REFUSABLE_CLASSES)[number];
export type AddressClass = RefusableClass | 'public';

type Family = 'ipv4' | 'ipv6';
type Rule = readonly [network: string, prefix: number, family: Family];

/**
 * The ranges of each class, in the order they are asked (the first that
 * matches names the address): the metadata addresses lie inside link-local
 * and unique-local space, and are named for what they are. Node's BlockList
 * matches an IPv4-mapped IPv6 address (::ffff:a.b.c.d) against the IPv4 rules,
 * so a mapped address is classified by the IPv4 address it carries.
 */
const RULES: Readonly<Record<RefusableClass, readonly Rule[]>> = {
  metadata: [
    ['169.254.169.254', 32, 'ipv4'],
    ['fd00:ec2::254', 128, 'ipv6'],
  ],
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  unspecified: [
    ['0.0.0.0', 8, 'ipv4'],
    ['::', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
  ],
  shared: [['100.64.0.0', 10, 'ipv4']],
  'link-local': [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  'unique-local': [
    ['fc00::', 7, 'ipv6'],
    // Site-local, deprecated (RFC 3879) but still private space where it is used.
    ['fec0::', 10, 'ipv6'],
  ],
  multicast: [
    ['224.0.0.0', 4, 'ipv4'],
    ['ff00::', 8, 'ipv6'],
  ],
  broadcast: [['255.255.255.255', 32, 'ipv4']],
  reserved: [
    ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
    ['192.0.2.0', 24, 'ipv4'], // documentation
    ['198.18.0.0', 15, 'ipv4'], // benchmarking
    ['198.51.100.0', 24, 'ipv4'], // documentation
    ['203.0.113.0', 24, 'ipv4'], // documentation
    ['240.0.0.0', 4, 'ipv4'], // future use (255.255.255.255 is matched as broadcast first)
    ['::', 96, 'ipv6'], // IPv4-compatible, deprecated
    ['100::', 64, 'ipv6'], // discard
    ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
    ['2001:db8::', 32, 'ipv6'], // documentation
  ],
};

const LISTS: readonly (readonly [RefusableClass, BlockList])[] = REFUSABLE_CLASSES.map((cls) => {
  const list = new BlockList();
  for (const [network, prefix, family] of RULES[cls]) list.addSubnet(network, prefix, family);
  return [cls, list] as const;
});

/** The IP address a host names literally (brackets of a URL's IPv6 host removed), or undefined for a name. */
export function ipLiteral(host: string): string | undefined {
  const bracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // A zone (fe80::1%eth0) picks an interface; the address is what is classified.
  const bare = bracketed.replace(/%.*$/, '');
  return isIP(bare) === 0 ? undefined : bare;
}

const NAT64 = new BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail counts as two). */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  const hex = dotted
    ? `${address.slice(0, dotted.index)}${((Number(dotted[1]) << 8) | Number(dotted[2])).toString(16)}:${((Number(dotted[3]) << 8) | Number(dotted[4])).toString(16)}`
    : address;
  const [head = '', tail] = hex.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const before = parse(head);
  const after = tail === undefined ? [] : parse(tail);
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}

/** The IPv4 address a well-known-prefix NAT64 address (64:ff9b::/96) carries, which a NAT64 gateway connects to. */
function nat64Embedded(address: string): string | undefined {
  if (isIPv4(address) || !NAT64.check(address, 'ipv6')) return undefined;
  const groups = ipv6Groups(address);
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The class of an IP address; a string that is no IP address is refused as reserved. */
export function classifyAddress(address: string): AddressClass {
  const literal = ipLiteral(address);
  if (literal === undefined) return 'reserved';
  const embedded = nat64Embedded(literal);
  if (embedded !== undefined) return classifyAddress(embedded);
  const family: Family = isIPv4(literal) ? 'ipv4' : 'ipv6';
  for (const [cls, list] of LISTS) if (list.check(literal, family)) return cls;
  return 'public';
}

const ARTICLE: Readonly<Record<RefusableClass, string>> = {
  metadata: 'a cloud metadata address',
  loopback: 'a loopback address',
  unspecified: 'an unspecified address',
  private: 'a private address',
  shared: 'a shared (carrier-grade NAT) address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique-local address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
};

export type DestinationVerdict =
  | { readonly allowed: true; readonly loopback: boolean }
  | { readonly allowed: false; readonly refused: RefusableClass; readonly reason: string };

/**
 * Whether a site may connect to a host that is (a literal) or resolves to
 * (a name) these addresses: every one must be allowed, since a connection may
 * go to any of them. Loopback is allowed only where `allowLoopback` says so —
 * the local stage. The reason names the check that failed, and no address.
 */
export function destinationVerdict(
  addresses: readonly string[],
  options: { readonly allowLoopback: boolean; readonly literal?: boolean },
): DestinationVerdict {
  if (addresses.length === 0) return { allowed: false, refused: 'reserved', reason: 'resolves to no address' };
  let loopback = false;
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls === 'public') continue;
    if (cls === 'loopback' && options.allowLoopback) {
      loopback = true;
      continue;
    }
    return { allowed: false, refused: cls, reason: `${options.literal ? 'is' : 'resolves to'} ${ARTICLE[cls]}` };
  }
  return { allowed: true, loopback };
}

/**
 * The cheap check of a host as it is spelled, at write time: an IP literal is
 * classified at once; a name is left to the lookup (write time where one is
 * made, and always at connection time).
 */
export function literalHostProblem(host: string, allowLoopback: boolean): string | undefined {
  const literal = ipLiteral(host);
  if (literal === undefined) return undefined;
  const verdict = destinationVerdict([literal], { allowLoopback, literal: true });
  return verdict.allowed ? undefined : verdict.reason;
}
