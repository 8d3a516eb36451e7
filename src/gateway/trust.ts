/**
 * Who is really asking, and may we trust them as "this machine"?
 *
 * Every HTTP request and WebSocket upgrade is classified once, from what the network says rather than
 * what the client claims:
 *
 * - **Client address.** The TCP peer, unless the peer is a proxy we trust: then the right-most
 *   `X-Forwarded-For` hop that is not itself a trusted proxy (the first address a proxy of ours saw;
 *   anything left of it was written by the client). On Fly.io the edge proxy connects from
 *   172.16.0.0/12 and names the client in `Fly-Client-IP`.
 * - **Local.** Tokenless access is for programs on this machine only: a loopback client, reached
 *   directly or through a trusted proxy, that addressed the gateway by a loopback name (`Host`), from
 *   a page of the same origin. A hostile web page can make the owner's browser send requests to
 *   127.0.0.1 (DNS rebinding names its own domain in `Host`; a cross-site form or fetch carries its
 *   `Origin` or `Sec-Fetch-Site: cross-site`), so none of those is ever local.
 */
import type { IncomingMessage } from "node:http";
import net from "node:net";

/** Fly.io's edge proxy reaches a machine from this private range. */
const FLY_PROXY_SUBNET = ["172.16.0.0", 12] as const;

export interface TrustOptions {
  /** `gateway.trustedProxies`: exact addresses or CIDR ranges (`10.0.0.0/8`, `fd00::/8`). */
  trustedProxies: readonly string[];
  /** Running on Fly.io (`FLY_APP_NAME` is set): trust `Fly-Client-IP` from Fly's proxy. */
  onFly: boolean;
}

export interface RequestTrust {
  /** The client's address as far as we can tell (what limits and logs key on). */
  address: string;
  /** The TCP peer. */
  peer: string;
  /** May act without a token: a loopback client that addressed us as loopback, same-origin. */
  isLocal: boolean;
  /** `Host` names a loopback address or `localhost`. */
  loopbackHost: boolean;
  /** Sent by a page of another origin (or says so in `Sec-Fetch-Site`). */
  crossSite: boolean;
  /** Forwarding headers came from a peer we do not trust; they were ignored. */
  untrustedForward: boolean;
}

/** Strips the IPv4-mapped prefix and lower-cases, so one client has one spelling. */
export function normalizeIp(ip: string | undefined): string {
  const s = (ip ?? "").trim().toLowerCase();
  return s.startsWith("::ffff:") && net.isIPv4(s.slice(7)) ? s.slice(7) : s;
}

export function isLoopbackIp(ip: string): boolean {
  const a = normalizeIp(ip);
  return a === "::1" || (net.isIPv4(a) && a.startsWith("127."));
}

/** One `gateway.trustedProxies` entry: an address (`10.0.0.5`) or a CIDR range (`10.0.0.0/8`). */
export interface ProxyRange {
  address: string;
  family: "ipv4" | "ipv6";
  /** Prefix length; a plain address is a full-length range. */
  bits: number;
}

/** Parses one `gateway.trustedProxies` entry; null when it is neither an address nor a range. */
export function parseProxyEntry(entry: string): ProxyRange | null {
  const [addr = "", bits] = entry.trim().split("/");
  const address = normalizeIp(addr);
  const family = net.isIPv4(address) ? "ipv4" : net.isIPv6(address) ? "ipv6" : null;
  if (!family) return null;
  const max = family === "ipv4" ? 32 : 128;
  if (bits === undefined) return { address, family, bits: max };
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= max ? { address, family, bits: n } : null;
}

/** A matcher for `gateway.trustedProxies`; entries that are not addresses or ranges are ignored. */
export function proxyMatcher(entries: readonly string[]): (ip: string) => boolean {
  const list = new net.BlockList();
  let any = false;
  for (const entry of entries) {
    const r = parseProxyEntry(entry);
    if (!r) continue;
    list.addSubnet(r.address, r.bits, r.family);
    any = true;
  }
  if (!any) return () => false;
  return (ip: string) => {
    const a = normalizeIp(ip);
    const family = net.isIPv4(a) ? "ipv4" : net.isIPv6(a) ? "ipv6" : null;
    return family !== null && list.check(a, family);
  };
}

const flyProxy = proxyMatcher([FLY_PROXY_SUBNET.join("/")]);

/** The peer is where Fly.io's edge proxy connects from (meaningful only when running on Fly). */
export function isFlyProxy(peer: string): boolean {
  return flyProxy(peer);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** The host name in a `Host` header or URL authority, without port or brackets. */
export function hostName(host: string | undefined): string {
  const h = (host ?? "").trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") >>> 0);
  const colon = h.lastIndexOf(":");
  return colon > 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 or `::1`: names that cannot point at another machine. */
export function isLoopbackName(host: string | undefined): boolean {
  const name = hostName(host);
  return name === "localhost" || name.endsWith(".localhost") || isLoopbackIp(name);
}

/** True for a browser request made by a page of another origin than the one it addresses. */
export function isCrossSite(req: IncomingMessage): boolean {
  if (header(req, "sec-fetch-site")?.trim().toLowerCase() === "cross-site") return true;
  const origin = header(req, "origin");
  if (origin === undefined) return false;
  // Sandboxed frames and privacy-sensitive redirects send the literal "null".
  if (origin.trim() === "null") return true;
  try {
    return new URL(origin).host.toLowerCase() !== (header(req, "host") ?? "").trim().toLowerCase();
  } catch {
    return true;
  }
}

/** The client address: the peer, or what a trusted proxy says about the client. */
export function clientAddress(
  peerRaw: string | undefined,
  headers: { xff?: string; realIp?: string; flyClientIp?: string },
  trusted: (ip: string) => boolean,
  onFly: boolean,
): { address: string; viaProxy: boolean } {
  const peer = normalizeIp(peerRaw);
  if (onFly && flyProxy(peer)) {
    const fly = normalizeIp(headers.flyClientIp);
    if (net.isIP(fly)) return { address: fly, viaProxy: true };
  }
  if (!trusted(peer)) return { address: peer, viaProxy: false };
  const hops = (headers.xff ?? "")
    .split(",")
    .map((h) => normalizeIp(stripPort(h)))
    .filter((h) => h.length > 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!net.isIP(hop)) return { address: peer, viaProxy: true }; // garbage in the chain: trust nothing past it
    if (!trusted(hop)) return { address: hop, viaProxy: true };
  }
  const real = normalizeIp(stripPort(headers.realIp ?? ""));
  if (hops.length === 0 && net.isIP(real)) return { address: real, viaProxy: true };
  return { address: hops[0] ?? peer, viaProxy: hops.length > 0 };
}

function stripPort(hop: string): string {
  const h = hop.trim();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") >>> 0);
  const colon = h.lastIndexOf(":");
  return colon > 0 && h.indexOf(":") === colon && net.isIPv4(h.slice(0, colon)) ? h.slice(0, colon) : h;
}

/** Classifies one request (see the module comment). */
export function requestTrust(req: IncomingMessage, opts: TrustOptions, trusted = proxyMatcher(opts.trustedProxies)): RequestTrust {
  const peer = normalizeIp(req.socket.remoteAddress);
  const { address, viaProxy } = clientAddress(
    peer,
    { xff: header(req, "x-forwarded-for"), realIp: header(req, "x-real-ip"), flyClientIp: header(req, "fly-client-ip") },
    trusted,
    opts.onFly,
  );
  const forwarded = ["x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host"].some((h) => header(req, h) !== undefined);
  const untrustedForward = forwarded && !viaProxy && !trusted(peer);
  const loopbackHost = isLoopbackName(header(req, "host"));
  const crossSite = isCrossSite(req);
  const isLocal = isLoopbackIp(address) && (isLoopbackIp(peer) || viaProxy) && !untrustedForward && loopbackHost && !crossSite;
  return { address, peer, isLocal, loopbackHost, crossSite, untrustedForward };
}
