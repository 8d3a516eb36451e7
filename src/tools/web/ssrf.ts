/**
 * Server-side request forgery guard for the agent's web tools: a model told to "fetch" a URL must
 * not reach the gateway's own network (the machine itself, the private LAN, the cloud metadata
 * service). Names are checked first, then every address the name resolves to; the caller connects
 * to the address that was checked, so a second DNS answer cannot swap in a private one.
 */
import { isIP } from "node:net";

/** A URL the guard will not fetch; its message says why and how to allow it. */
export class FetchRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FetchRefusedError";
  }
}

const BLOCKED_NAMES = new Set(["localhost", "metadata.google.internal", "metadata", "instance-data"]);
const BLOCKED_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa"];

/** The host of a URL without brackets or a trailing dot, lower-cased. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase().replace(/\.$/, "");
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h;
}

/** Names that always point inside: localhost, mDNS (.local), cloud-internal and metadata names. */
export function isBlockedHostname(host: string): boolean {
  const h = normalizeHost(host);
  if (!h) return true;
  return BLOCKED_NAMES.has(h) || BLOCKED_SUFFIXES.some((s) => h.endsWith(s));
}

function ipv4Bytes(address: string): number[] | null {
  if (isIP(address) !== 4) return null;
  return address.split(".").map(Number);
}

function isPrivateIpv4([a, b, c]: number[]): boolean {
  if (a === undefined || b === undefined || c === undefined) return true;
  return (
    a === 0 || // "this network", 0.0.0.0
    a === 10 ||
    a === 127 || // loopback
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT (100.64.0.0/10)
    (a === 169 && b === 254) || // link-local, cloud metadata (169.254.169.254)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast (224/4), reserved (240/4), broadcast
  );
}

/** The 16 bytes of an IPv6 address (with an embedded dotted IPv4 tail, if any). */
function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.split("%")[0]!; // zone id (fe80::1%eth0)
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const v4 = ipv4Bytes(text.slice(lastColon + 1));
    if (!v4) return null;
    tail.push(...v4);
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const [head = "", rest] = text.split("::");
  const groups = (s: string) => (s ? s.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes.length === 16 ? bytes : null;
}

function isPrivateIpv6(b: number[]): boolean {
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(15) && (b[15] === 0 || b[15] === 1)) return true; // :: and ::1
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d).
  if (zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return isPrivateIpv4(b.slice(12));
  if (zeroUpTo(12)) return isPrivateIpv4(b.slice(12));
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.slice(4, 12).every((x) => x === 0))
    return isPrivateIpv4(b.slice(12));
  if (b[0] === 0x20 && b[1] === 0x02) return isPrivateIpv4(b.slice(2, 6)); // 6to4 (2002::/16)
  const [first = 0, second = 0] = b;
  return (
    first === 0xff || // multicast
    (first & 0xfe) === 0xfc || // unique local (fc00::/7)
    (first === 0xfe && (second & 0xc0) === 0x80) || // link-local (fe80::/10)
    (first === 0xfe && (second & 0xc0) === 0xc0) // site-local (fec0::/10, deprecated)
  );
}

/**
 * True for addresses that are not on the public internet: private, loopback, link-local, CGNAT,
 * multicast, reserved and unspecified, in IPv4 and IPv6 (including IPv4 carried in IPv6).
 * Anything that does not parse as an IP address counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  const a = normalizeHost(address);
  const v4 = ipv4Bytes(a);
  if (v4) return isPrivateIpv4(v4);
  const v6 = ipv6Bytes(a);
  if (v6) return isPrivateIpv6(v6);
  return true;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (host) => {
  // Loaded on the first fetch rather than with the gateway, which never needs it otherwise.
  const { lookup } = await import("node:dns/promises");
  return (await lookup(host, { all: true, verbatim: true })).map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
};

export interface GuardOptions {
  /** `tools.web.fetch.allowPrivateNetwork`: skip the checks (a trusted LAN, a local test server). */
  allowPrivateNetwork: boolean;
  resolve: HostResolver;
  /** Addresses allowed despite being private (for tests on 127.0.0.1). */
  allowAddress?: (address: string) => boolean;
}

const HOW_TO_ALLOW = "set tools.web.fetch.allowPrivateNetwork to true in the config to allow private addresses";

/**
 * Resolves a URL's host once and checks every address; returns the one to connect to.
 * Throws FetchRefusedError when the name or any of its addresses is internal.
 */
export async function resolveAllowedHost(hostname: string, o: GuardOptions): Promise<ResolvedAddress> {
  const host = normalizeHost(hostname);
  if (!o.allowPrivateNetwork && isBlockedHostname(host))
    throw new FetchRefusedError(`Refused to fetch ${host}: it names a local or internal host (${HOW_TO_ALLOW}).`);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await o.resolve(host);
    } catch (e) {
      throw new Error(`Could not resolve ${host} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the URL.`);
    }
  }
  if (!addresses.length) throw new Error(`Could not resolve ${host}: no addresses. Check the URL.`);
  if (!o.allowPrivateNetwork) {
    const bad = addresses.find((a) => isPrivateAddress(a.address) && !o.allowAddress?.(a.address));
    if (bad)
      throw new FetchRefusedError(
        `Refused to fetch ${host}: it resolves to ${bad.address}, a private, loopback or link-local address (${HOW_TO_ALLOW}).`,
      );
  }
  return addresses[0]!;
}
