/**
 * `exec-approvals.json`: who may run what on the gateway host (per-agent security, ask and ask-fallback
 * levels, and an allowlist of resolved binary paths), in OpenClaw 2026.1.29's format (`version: 1`).
 *
 * Kept in `$OPENCLAW_STATE_DIR/exec-approvals.json`, so a Fly volume keeps it (OpenClaw keeps it in
 * `~/.openclaw/`, which a container loses). An existing `~/.openclaw/exec-approvals.json` is read while
 * the state directory has none, and the first save writes it to the state directory.
 *
 * Saves are atomic, owner-only (0600), and refuse a stale base: `exec.approvals.set` must name the hash
 * it read, so two editors never overwrite each other. The original's local socket (for its desktop app)
 * is not used here; its `socket` entry is kept as it is, without the token in what clients see.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as z from "zod";
import { writeFileAtomicSync } from "../infra/atomic.js";
import { findHome, type Env } from "../infra/paths.js";
import { FileTooLargeError, readFileBoundedSync } from "../infra/read-bounded.js";

export const FILE_NAME = "exec-approvals.json";
/** Larger files are refused (an allowlist of thousands of paths is far below this). */
const MAX_FILE_BYTES = 1024 * 1024;

/** The file as OpenClaw's protocol describes it (`ExecApprovalsFileSchema`); built when first read. */
export const ExecApprovalsFileSchema = z.lazy(() => {
  const level = z.string().max(32);
  const allowlistEntry = z.strictObject({
    id: z.string().min(1).max(128).optional(),
    pattern: z.string().max(4096),
    lastUsedAt: z.number().int().min(0).optional(),
    lastUsedCommand: z.string().max(8192).optional(),
    lastResolvedPath: z.string().max(4096).optional(),
  });
  const defaults = z.strictObject({
    security: level.optional(),
    ask: level.optional(),
    askFallback: level.optional(),
    autoAllowSkills: z.boolean().optional(),
  });
  const agent = defaults.extend({ allowlist: z.array(allowlistEntry).max(10_000).optional() });
  return z.strictObject({
    version: z.literal(1),
    socket: z.strictObject({ path: z.string().optional(), token: z.string().optional() }).optional(),
    defaults: defaults.optional(),
    agents: z.record(z.string().max(128), agent).optional(),
  });
});
export type ExecApprovalsFile = z.infer<typeof ExecApprovalsFileSchema>;
type AgentEntry = NonNullable<ExecApprovalsFile["agents"]>[string];

export interface ApprovalsSnapshot {
  path: string;
  exists: boolean;
  hash: string;
  file: ExecApprovalsFile;
}

export class ApprovalsError extends Error {}

const hash = (raw: string | null) =>
  crypto
    .createHash("sha256")
    .update(raw ?? "")
    .digest("hex");

/** Legacy `agents.default` folds into `agents.main`; allowlist entries get ids. */
export function normalizeApprovals(file: ExecApprovalsFile): ExecApprovalsFile {
  const agents: Record<string, AgentEntry> = { ...file.agents };
  const legacy = agents.default;
  if (legacy) {
    const main = agents.main;
    if (main) {
      const seen = new Set<string>();
      const allowlist = [...(main.allowlist ?? []), ...(legacy.allowlist ?? [])].filter((e) => {
        const k = e.pattern.trim().toLowerCase();
        if (!k || seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      agents.main = {
        security: main.security ?? legacy.security,
        ask: main.ask ?? legacy.ask,
        askFallback: main.askFallback ?? legacy.askFallback,
        autoAllowSkills: main.autoAllowSkills ?? legacy.autoAllowSkills,
        ...(allowlist.length ? { allowlist } : {}),
      };
    } else agents.main = legacy;
    delete agents.default;
  }
  for (const [id, agent] of Object.entries(agents)) {
    if (agent.allowlist?.some((e) => !e.id))
      agents[id] = { ...agent, allowlist: agent.allowlist.map((e) => (e.id ? e : { ...e, id: crypto.randomUUID() })) };
  }
  const socketPath = file.socket?.path?.trim();
  const token = file.socket?.token?.trim();
  return {
    version: 1,
    ...(socketPath || token ? { socket: { ...(socketPath ? { path: socketPath } : {}), ...(token ? { token } : {}) } } : {}),
    defaults: { ...file.defaults },
    agents,
  };
}

/** What clients see: the socket token left out. */
export function redactApprovals(file: ExecApprovalsFile): ExecApprovalsFile {
  const socketPath = file.socket?.path?.trim();
  const { socket: _drop, ...rest } = file;
  return { ...rest, ...(socketPath ? { socket: { path: socketPath } } : {}) };
}

export class ExecApprovalsStore {
  readonly path: string;
  /** `~/.openclaw/exec-approvals.json`, read when the state directory has none (none without a home folder). */
  private readonly legacyPath: string | undefined;

  constructor(stateDir: string, env: Env) {
    this.path = path.join(stateDir, FILE_NAME);
    const home = findHome(env);
    this.legacyPath = home ? path.join(home, ".openclaw", FILE_NAME) : undefined;
  }

  /** The file as it is now (the state directory's, else the home directory's, else an empty one). */
  snapshot(): ApprovalsSnapshot {
    for (const file of this.legacyPath ? [this.path, this.legacyPath] : [this.path]) {
      let raw: string;
      try {
        raw = readFileBoundedSync(file, MAX_FILE_BYTES).toString("utf8");
      } catch (e) {
        if (e instanceof FileTooLargeError) throw new ApprovalsError(`${file} is larger than ${MAX_FILE_BYTES} bytes; fix or remove it`);
        if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") continue;
        throw e;
      }
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(raw);
      } catch {
        // An unreadable file counts as empty, as in OpenClaw; the next save replaces it.
      }
      const checked = ExecApprovalsFileSchema.safeParse(parsed);
      return {
        path: this.path,
        exists: true,
        hash: hash(raw),
        file: normalizeApprovals(checked.success ? checked.data : { version: 1, agents: {} }),
      };
    }
    return { path: this.path, exists: false, hash: hash(null), file: normalizeApprovals({ version: 1, agents: {} }) };
  }

  /**
   * Replaces the file. `baseHash` must be the hash last read when a file exists (else the edit is
   * refused with what to do). The socket entry a client cannot see is kept.
   */
  save(next: ExecApprovalsFile, baseHash: string | undefined): ApprovalsSnapshot {
    const current = this.snapshot();
    if (current.exists) {
      if (!baseHash) throw new ApprovalsError("exec approvals base hash required; re-run exec.approvals.get and retry");
      if (baseHash !== current.hash)
        throw new ApprovalsError("exec approvals changed since last load; re-run exec.approvals.get and retry");
    }
    const normalized = normalizeApprovals(next);
    const socketPath = normalized.socket?.path ?? current.file.socket?.path;
    const token = normalized.socket?.token ?? current.file.socket?.token;
    const file: ExecApprovalsFile = {
      ...normalized,
      ...(socketPath || token ? { socket: { ...(socketPath ? { path: socketPath } : {}), ...(token ? { token } : {}) } } : {}),
    };
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    writeFileAtomicSync(this.path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    return this.snapshot();
  }
}
