/** Bind modes to addresses: `loopback` 127.0.0.1, `lan` 0.0.0.0, `auto` loopback, `tailnet` the 100.x address, `custom` a host from config. */
import os from "node:os";

export const BIND_MODES = ["loopback", "lan", "auto", "custom", "tailnet"] as const;
export type BindMode = (typeof BIND_MODES)[number];

export class BindError extends Error {
  readonly code = "GATEWAY_BIND";
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.") || host === "::ffff:127.0.0.1";
}

/** First IPv4 address in Tailscale's 100.64.0.0/10 range, if this machine has one. */
export function tailnetAddress(ifaces = os.networkInterfaces()): string | null {
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      if (a.family !== "IPv4") continue;
      const [x, y] = a.address.split(".").map(Number) as [number, number];
      if (x === 100 && y >= 64 && y <= 127) return a.address;
    }
  }
  return null;
}

export function resolveBindHost(mode: BindMode, customHost?: string): string {
  switch (mode) {
    case "loopback":
    case "auto":
      return "127.0.0.1";
    case "lan":
      return "0.0.0.0";
    case "custom":
      if (!customHost) throw new BindError('gateway.bind is "custom" but gateway.customBindHost is not set');
      return customHost;
    case "tailnet": {
      const addr = tailnetAddress();
      if (!addr) throw new BindError('gateway.bind is "tailnet" but this machine has no Tailscale (100.64.0.0/10) address');
      return addr;
    }
  }
}
