/**
 * The `docker` command line as the sandbox uses it: run one command with a timeout, and build the
 * `docker create` arguments (OpenClaw's names, labels and hardening flags) for a sandbox container.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import type { SandboxDockerSettings, SandboxScope, Ulimit } from "./config.js";

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `docker` could not be run at all (missing binary, timeout), as opposed to a non-zero exit. */
export class DockerSpawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DockerSpawnError";
  }
}

/** Runs `<bin> ...args`; a non-zero exit resolves (check `code`), a failure to run rejects. */
export function runDocker(bin: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env: opts.env });
    } catch (err) {
      reject(new DockerSpawnError((err as Error).message));
      return;
    }
    let stdout = "";
    let stderr = "";
    let settled = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          if (settled) return;
          settled = true;
          child.kill("SIGKILL");
          reject(new DockerSpawnError(`\`${bin} ${args[0] ?? ""}\` did not answer within ${opts.timeoutMs} ms`));
        }, opts.timeoutMs)
      : undefined;
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(new DockerSpawnError(err.code === "ENOENT" ? `${bin} not found (is Docker installed and on PATH?)` : err.message));
    });
    child.on("close", (code) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** `<sanitized key, ≤32 chars>-<first 8 hex of its sha1>`: stable, docker-safe, distinct per key. */
export function slugifyKey(value: string): string {
  const trimmed = value.trim() || "session";
  const hash = createHash("sha1").update(trimmed).digest("hex").slice(0, 8);
  const safe = trimmed
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${safe.slice(0, 32) || "session"}-${hash}`;
}

/** What one container serves: the session key, `agent:<id>`, or `shared`. */
export function sandboxScopeKey(scope: SandboxScope, agentId: string, sessionKey: string): string {
  if (scope === "shared") return "shared";
  if (scope === "session") return sessionKey.trim() || "main";
  return `agent:${agentId}`;
}

export function containerNameFor(prefix: string, scope: SandboxScope, scopeKey: string): string {
  const slug = scope === "shared" ? "shared" : slugifyKey(scopeKey);
  return `${prefix}${slug}`.slice(0, 63);
}

function normalizeForHash(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(normalizeForHash).filter((v) => v !== undefined);
    const primitive = items.every((v) => v === null || typeof v !== "object");
    return primitive ? [...items].sort((a, b) => String(a).localeCompare(String(b))) : items;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) {
      const n = normalizeForHash(v);
      if (n !== undefined) out[k] = n;
    }
    return out;
  }
  return value;
}

/** sha1 of the settings a container was created with; a different hash means it is out of date. */
export function sandboxConfigHash(input: {
  docker: SandboxDockerSettings;
  workspaceAccess: string;
  workspaceDir: string;
  agentWorkspaceDir: string;
}): string {
  return createHash("sha1")
    .update(JSON.stringify(normalizeForHash(input)))
    .digest("hex");
}

function limit(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  return value.trim() || undefined;
}

function ulimitArg(name: string, value: Ulimit): string | undefined {
  if (!name.trim()) return undefined;
  if (typeof value === "number" || typeof value === "string") {
    const raw = String(value).trim();
    return raw ? `${name}=${raw}` : undefined;
  }
  const { soft, hard } = value;
  if (soft === undefined && hard === undefined) return undefined;
  if (soft === undefined) return `${name}=${hard}`;
  if (hard === undefined) return `${name}=${soft}`;
  return `${name}=${soft}:${hard}`;
}

export interface CreateArgsInput {
  name: string;
  scopeKey: string;
  createdAtMs: number;
  configHash: string;
  docker: SandboxDockerSettings;
  workspaceAccess: "none" | "ro" | "rw";
  /** Mounted at the container's workdir. */
  workspaceDir: string;
  /** The agent's own workspace; mounted at /agent when it is not already the workdir mount. */
  agentWorkspaceDir: string;
}

/** The full `docker create ...` argv (without the binary): a container that sleeps until exec'd into. */
export function buildCreateArgs(p: CreateArgsInput): string[] {
  const d = p.docker;
  const args = ["create", "--name", p.name];
  args.push("--label", "openclaw.sandbox=1");
  args.push("--label", `openclaw.sessionKey=${p.scopeKey}`);
  args.push("--label", `openclaw.createdAtMs=${p.createdAtMs}`);
  args.push("--label", `openclaw.configHash=${p.configHash}`);
  if (d.readOnlyRoot) args.push("--read-only");
  for (const t of d.tmpfs) args.push("--tmpfs", t);
  if (d.network) args.push("--network", d.network);
  if (d.user) args.push("--user", d.user);
  for (const cap of d.capDrop) args.push("--cap-drop", cap);
  args.push("--security-opt", "no-new-privileges");
  if (d.seccompProfile) args.push("--security-opt", `seccomp=${d.seccompProfile}`);
  if (d.apparmorProfile) args.push("--security-opt", `apparmor=${d.apparmorProfile}`);
  for (const dns of d.dns ?? []) if (dns.trim()) args.push("--dns", dns);
  for (const host of d.extraHosts ?? []) if (host.trim()) args.push("--add-host", host);
  if (typeof d.pidsLimit === "number" && d.pidsLimit > 0) args.push("--pids-limit", String(d.pidsLimit));
  const memory = limit(d.memory);
  if (memory) args.push("--memory", memory);
  const swap = limit(d.memorySwap);
  if (swap) args.push("--memory-swap", swap);
  if (typeof d.cpus === "number" && d.cpus > 0) args.push("--cpus", String(d.cpus));
  for (const [name, value] of Object.entries(d.ulimits ?? {})) {
    const u = ulimitArg(name, value);
    if (u) args.push("--ulimit", u);
  }
  for (const bind of d.binds ?? []) args.push("-v", bind);
  args.push("--workdir", d.workdir);
  const sameDir = p.workspaceDir === p.agentWorkspaceDir;
  args.push("-v", `${p.workspaceDir}:${d.workdir}${p.workspaceAccess === "ro" && sameDir ? ":ro" : ""}`);
  if (p.workspaceAccess !== "none" && !sameDir) {
    args.push("-v", `${p.agentWorkspaceDir}:/agent${p.workspaceAccess === "ro" ? ":ro" : ""}`);
  }
  args.push(d.image, "sleep", "infinity");
  return args;
}
