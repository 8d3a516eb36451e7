/**
 * Reading a Fly.io `fly.toml` for what matters to the gateway: the process command (and the port,
 * bind and flags it gives the gateway), `internal_port`, the volume mount, `[env]` and VM memory.
 */
import fs from "node:fs";

export class FlyConfigError extends Error {
  readonly code = "FLY_CONFIG";
}

export interface FlyApp {
  file: string;
  app?: string;
  /** The `[processes]` entry the gateway runs as (`app`, else the first one). */
  processName: string | null;
  processCommand: string | null;
  processArgv: string[];
  env: Record<string, string>;
  /** `[http_service].internal_port`, else the first `[[services]]` entry's. */
  internalPort: number | null;
  /** Whether the app has a public service (`[http_service]` or `[[services]]`). */
  publicService: boolean;
  /** Paths probed by `[[http_service.checks]]` and `[checks]` health checks. */
  checkPaths: string[];
  mount: { source?: string; destination: string } | null;
  vmMemoryMb: number | null;
  vmSize?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Splits a command line the way a shell would for plain words and quoted strings. */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(cmd); m; m = re.exec(cmd)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3] ?? ""));
  return out;
}

/** Memory of Fly's preset sizes when `[[vm]]` names only a size. */
const PRESET_MEMORY_MB: Record<string, number> = {
  "shared-cpu-1x": 256,
  "shared-cpu-2x": 512,
  "shared-cpu-4x": 1024,
  "shared-cpu-8x": 2048,
  "performance-1x": 2048,
  "performance-2x": 4096,
  "performance-4x": 8192,
  "performance-8x": 16384,
  "performance-16x": 32768,
};

/** `"2048mb"`, `"2gb"`, `"512"`, `1024` → MB. */
export function parseMemoryMb(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v !== "string") return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(mb|m|gb|g)?\s*$/i.exec(v);
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  return /^g/i.test(m[2] ?? "") ? n * 1024 : n;
}

export function parseFlyToml(text: string, file = "fly.toml", parse: (t: string) => unknown): FlyApp {
  let doc: Obj;
  try {
    doc = parse(text) as Obj;
  } catch (e) {
    throw new FlyConfigError(`${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  const processes = isObj(doc.processes) ? doc.processes : {};
  const names = Object.keys(processes);
  const processName = "app" in processes ? "app" : (names[0] ?? null);
  const raw = processName ? processes[processName] : undefined;
  const processCommand = typeof raw === "string" ? raw : Array.isArray(raw) ? raw.join(" ") : null;
  const env: Record<string, string> = {};
  if (isObj(doc.env)) for (const [k, v] of Object.entries(doc.env)) env[k] = String(v);

  const http = isObj(doc.http_service) ? doc.http_service : null;
  const services = Array.isArray(doc.services) ? doc.services.filter(isObj) : [];
  const internalPort = numberOrNull(http?.internal_port) ?? numberOrNull(services[0]?.internal_port);

  const checkPaths: string[] = [];
  const httpChecks = http && Array.isArray(http.checks) ? http.checks.filter(isObj) : [];
  for (const c of httpChecks) if (typeof c.path === "string") checkPaths.push(c.path);
  if (isObj(doc.checks)) for (const c of Object.values(doc.checks)) if (isObj(c) && typeof c.path === "string") checkPaths.push(c.path);

  const mounts = Array.isArray(doc.mounts) ? doc.mounts.filter(isObj) : isObj(doc.mounts) ? [doc.mounts] : [];
  const m = mounts[0];
  const mount =
    m && typeof m.destination === "string"
      ? { destination: m.destination, ...(typeof m.source === "string" ? { source: m.source } : {}) }
      : null;

  const vms = Array.isArray(doc.vm) ? doc.vm.filter(isObj) : isObj(doc.vm) ? [doc.vm] : [];
  const vm = vms[0];
  const vmSize = typeof vm?.size === "string" ? vm.size : undefined;
  const vmMemoryMb = parseMemoryMb(vm?.memory) ?? parseMemoryMb(vm?.memory_mb) ?? (vmSize ? (PRESET_MEMORY_MB[vmSize] ?? null) : null);

  return {
    file,
    ...(typeof doc.app === "string" ? { app: doc.app } : {}),
    processName,
    processCommand,
    processArgv: processCommand ? splitCommand(processCommand) : [],
    env,
    internalPort,
    publicService: Boolean(http) || services.length > 0,
    checkPaths,
    mount,
    vmMemoryMb,
    ...(vmSize ? { vmSize } : {}),
  };
}

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Reads `file` (null when it does not exist); a file that is not valid TOML throws {@link FlyConfigError}. */
export async function readFlyToml(file: string): Promise<FlyApp | null> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new FlyConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const { parse } = await import("smol-toml");
  return parseFlyToml(text, file, parse);
}

/** What a gateway command line sets: `node dist/index.js gateway --port 3000 --bind lan …`. */
export interface GatewayArgs {
  /** The command runs the gateway (`gateway` or `gateway run`). */
  isGateway: boolean;
  port?: string;
  bind?: string;
  /** `--token` / `--password` values (secrets: compared, never printed). */
  token?: string;
  password?: string;
  allowUnconfigured: boolean;
}

export function parseGatewayArgs(argv: string[]): GatewayArgs {
  const i = argv.indexOf("gateway");
  const rest = i >= 0 ? argv.slice(i + 1) : [];
  const value = (name: string): string | undefined => {
    for (let k = 0; k < rest.length; k++) {
      const a = rest[k]!;
      if (a === name) return rest[k + 1];
      if (a.startsWith(name + "=")) return a.slice(name.length + 1);
    }
    return undefined;
  };
  const sub = rest[0];
  const out: GatewayArgs = {
    isGateway: i >= 0 && (sub === undefined || sub.startsWith("-") || sub === "run"),
    allowUnconfigured: rest.includes("--allow-unconfigured"),
  };
  for (const key of ["port", "bind", "token", "password"] as const) {
    const v = value(`--${key}`);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
