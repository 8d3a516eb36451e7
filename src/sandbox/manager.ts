/**
 * Sandbox containers, one per scope (session, agent, or shared), driven through the `docker` CLI.
 * `ensure` creates or reuses the container a session's tools run in and hands back a `SandboxExec`;
 * when no Docker engine answers it refuses with a `SandboxUnavailableError` that names the setting to
 * change, rather than quietly running the commands on the gateway host.
 */
import fs from "node:fs";
import path from "node:path";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import type { SandboxExec } from "../tools/host.js";
import { workspaceDirFor } from "../agents/workspace.js";
import { defaultAgentId } from "../agents/roster.js";
import { normalizeAgentId } from "../sessions/keys.js";
import {
  canonicalSandboxSessionKey,
  DEFAULT_SANDBOX_IMAGE,
  resolveSandboxConfig,
  type SandboxScope,
  type SandboxSettings,
} from "./config.js";
import {
  buildCreateArgs,
  containerNameFor,
  DockerSpawnError,
  runDocker,
  sandboxConfigHash,
  sandboxScopeKey,
  slugifyKey,
  type DockerResult,
} from "./docker.js";
import { readRegistry, removeRegistryEntry, upsertRegistryEntry, type SandboxRegistryEntry } from "./registry.js";

/** A container used this recently is left alone when its config changes (the user is told how to recreate it). */
export const HOT_CONTAINER_WINDOW_MS = 5 * 60 * 1000;
const PROBE_TIMEOUT_MS = 3000;
const PROBE_CACHE_MS = 30_000;
const PRUNE_INTERVAL_MS = 5 * 60 * 1000;
/** Workspace files copied into a fresh sandbox workspace so the agent's prompt files are there too. */
const SEED_FILES = ["AGENTS.md", "SOUL.md", "TOOLS.md", "IDENTITY.md", "USER.md", "BOOTSTRAP.md", "HEARTBEAT.md"];

export interface SandboxLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface SandboxManagerOptions {
  stateDir: string;
  env: Env;
  log: SandboxLog;
  now: () => number;
  /** The docker binary (default `docker`, found on PATH). */
  docker?: string;
}

export interface DockerProbe {
  ok: boolean;
  /** The engine's version when reachable. */
  version?: string;
  /** Why not, when unreachable. */
  reason?: string;
}

/** Sandboxing is on for this session but there is no Docker engine to run it in. */
export class SandboxUnavailableError extends Error {
  readonly code = "SANDBOX_UNAVAILABLE";
  constructor(
    readonly modeKey: string,
    readonly mode: string,
    readonly reason: string,
  ) {
    super(
      `${modeKey} is "${mode}" but no Docker engine is reachable (docker: ${reason}). ` +
        `Install Docker, or set ${modeKey} to "off" to run tools on the gateway host.`,
    );
    this.name = "SandboxUnavailableError";
  }
}

export interface SandboxContainer extends SandboxRegistryEntry {
  running: boolean;
  /** Whether the container still runs the configured image. */
  imageMatch: boolean;
}

export interface RemoveFilter {
  all?: boolean;
  /** A container's scope key (`agent:main:telegram:group:1`, `agent:work`, `shared`). */
  session?: string;
  agentId?: string;
}

/** The agent a registry scope key belongs to (`shared` → undefined). */
export function agentIdOfScopeKey(scopeKey: string): string | undefined {
  const m = /^agent:([^:]+)/.exec(scopeKey.trim());
  return m ? normalizeAgentId(m[1]!) : undefined;
}

function recreateHint(scope: SandboxScope, scopeKey: string, agentId: string): string {
  if (scope === "session") return `openclaw sandbox recreate --session ${scopeKey}`;
  if (scope === "agent") return `openclaw sandbox recreate --agent ${agentId}`;
  return "openclaw sandbox recreate --all";
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? "";
}

export class SandboxManager {
  private readonly docker: string;
  private probeCache?: { at: number; result: DockerProbe };
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  /** One ensure/remove at a time per container name. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: SandboxManagerOptions) {
    this.docker = opts.docker ?? "docker";
  }

  private run(args: string[], timeoutMs?: number): Promise<DockerResult> {
    return runDocker(this.docker, args, { env: this.opts.env as NodeJS.ProcessEnv, timeoutMs });
  }

  /** Runs a command that must succeed; its stderr becomes the error. */
  private async must(args: string[]): Promise<DockerResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`docker ${args[0]} failed: ${firstLine(r.stderr) || `exit code ${r.code}`}`);
    return r;
  }

  private serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }

  /** Whether a Docker engine answers `docker version` (cached for a short while). */
  async probe(): Promise<DockerProbe> {
    const now = this.opts.now();
    if (this.probeCache && now - this.probeCache.at < PROBE_CACHE_MS) return this.probeCache.result;
    let result: DockerProbe;
    try {
      const r = await this.run(["version", "--format", "{{.Server.Version}}"], PROBE_TIMEOUT_MS);
      const version = r.stdout.trim();
      result =
        r.code === 0 && version
          ? { ok: true, version }
          : { ok: false, reason: firstLine(r.stderr) || firstLine(r.stdout) || `docker version exited with code ${r.code}` };
    } catch (err) {
      result = { ok: false, reason: err instanceof DockerSpawnError ? err.message : String(err) };
    }
    this.probeCache = { at: now, result };
    return result;
  }

  private settings(cfg: OpenClawConfig, agentId: string): SandboxSettings {
    return resolveSandboxConfig(cfg, agentId, { stateDir: this.opts.stateDir, env: this.opts.env });
  }

  /**
   * The running container for this session's scope, created (or recreated after a config change) as
   * needed; throws `SandboxUnavailableError` when no Docker engine is reachable.
   */
  async ensure(cfg: OpenClawConfig, agentId: string, sessionKey: string): Promise<SandboxExec> {
    const id = normalizeAgentId(agentId);
    const s = this.settings(cfg, id);
    const probe = await this.probe();
    if (!probe.ok) throw new SandboxUnavailableError(s.modeKey, s.mode, probe.reason ?? "unreachable");
    await this.maybePrune(cfg);

    const scopeKey = sandboxScopeKey(s.scope, id, canonicalSandboxSessionKey(cfg, id, sessionKey));
    const name = containerNameFor(s.docker.containerPrefix, s.scope, scopeKey);
    const agentWorkspaceDir = workspaceDirFor(cfg, id, this.opts.stateDir, this.opts.env);
    const sandboxWorkspaceDir = s.scope === "shared" ? s.workspaceRoot : path.join(s.workspaceRoot, slugifyKey(scopeKey));
    const workspaceDir = s.workspaceAccess === "rw" ? agentWorkspaceDir : sandboxWorkspaceDir;
    if (workspaceDir === sandboxWorkspaceDir) seedWorkspace(sandboxWorkspaceDir, agentWorkspaceDir);
    else fs.mkdirSync(workspaceDir, { recursive: true });

    await this.serialize(name, () => this.ensureContainer({ s, name, scopeKey, agentId: id, workspaceDir, agentWorkspaceDir }));
    return this.execFor(name, s, workspaceDir);
  }

  private async ensureContainer(p: {
    s: SandboxSettings;
    name: string;
    scopeKey: string;
    agentId: string;
    workspaceDir: string;
    agentWorkspaceDir: string;
  }): Promise<void> {
    const { s, name, scopeKey } = p;
    const now = this.opts.now();
    const expectedHash = sandboxConfigHash({
      docker: s.docker,
      workspaceAccess: s.workspaceAccess,
      workspaceDir: p.workspaceDir,
      agentWorkspaceDir: p.agentWorkspaceDir,
    });
    let { exists, running } = await this.state(name);
    let keptHash: string | undefined;
    if (exists) {
      const entry = readRegistry(this.opts.stateDir).find((e) => e.containerName === name);
      const current = (await this.label(name, "openclaw.configHash")) ?? entry?.configHash;
      if (current !== expectedHash) {
        const hot = running && (entry?.lastUsedAtMs === undefined || now - entry.lastUsedAtMs < HOT_CONTAINER_WINDOW_MS);
        if (hot) {
          keptHash = current;
          this.opts.log.warn(
            `Sandbox config changed for ${name} (recently used). Recreate to apply: ${recreateHint(s.scope, scopeKey, p.agentId)}`,
          );
        } else {
          await this.run(["rm", "-f", name]);
          removeRegistryEntry(this.opts.stateDir, name);
          exists = running = false;
        }
      }
    }
    if (!exists) {
      await this.ensureImage(s.docker.image);
      await this.must(
        buildCreateArgs({
          name,
          scopeKey,
          createdAtMs: now,
          configHash: expectedHash,
          docker: s.docker,
          workspaceAccess: s.workspaceAccess,
          workspaceDir: p.workspaceDir,
          agentWorkspaceDir: p.agentWorkspaceDir,
        }),
      );
      await this.must(["start", name]);
      const setup = s.docker.setupCommand?.trim();
      if (setup) {
        const r = await this.run(["exec", "-i", name, "sh", "-lc", setup]);
        if (r.code !== 0) {
          // A half-set-up container would be reused as if it were ready: remove it so the next run retries.
          await this.run(["rm", "-f", name]);
          throw new Error(
            `sandbox setupCommand failed in ${name} (exit ${r.code}): ${firstLine(r.stderr) || firstLine(r.stdout)}. ` +
              `Fix agents.defaults.sandbox.docker.setupCommand (or the agent's) and try again.`,
          );
        }
      }
      this.opts.log.info(`sandbox container ${name} created`, { image: s.docker.image, scopeKey });
    } else if (!running) {
      await this.must(["start", name]);
    }
    upsertRegistryEntry(this.opts.stateDir, {
      containerName: name,
      sessionKey: scopeKey,
      createdAtMs: now,
      lastUsedAtMs: now,
      image: s.docker.image,
      configHash: keptHash ?? expectedHash,
    });
  }

  private execFor(name: string, s: SandboxSettings, hostDir: string): SandboxExec {
    const docker = this.docker;
    const workdir = s.docker.workdir;
    const baseEnv = s.docker.env;
    return {
      workdir,
      hostDir,
      execArgv(command, opts) {
        const args = [docker, "exec", "-i"];
        if (opts.tty) args.push("-t");
        const cwd = opts.cwd ? path.posix.resolve(workdir, opts.cwd) : workdir;
        args.push("-w", cwd);
        const env = { ...baseEnv, ...opts.env };
        for (const [k, v] of Object.entries(env)) args.push("-e", `${k}=${v}`);
        // A login shell resets PATH from /etc/profile; a custom PATH is prepended after that.
        let prefix = "";
        if (env.PATH) {
          args.push("-e", `OPENCLAW_PREPEND_PATH=${env.PATH}`);
          prefix = 'export PATH="${OPENCLAW_PREPEND_PATH}:$PATH"; unset OPENCLAW_PREPEND_PATH; ';
        }
        args.push(name, "sh", "-lc", `${prefix}${command}`);
        return args;
      },
    };
  }

  private async state(name: string): Promise<{ exists: boolean; running: boolean }> {
    const r = await this.run(["inspect", "-f", "{{.State.Running}}", name]);
    if (r.code !== 0) return { exists: false, running: false };
    return { exists: true, running: r.stdout.trim() === "true" };
  }

  private async label(name: string, label: string): Promise<string | undefined> {
    const r = await this.run(["inspect", "-f", `{{ index .Config.Labels "${label}" }}`, name]);
    const raw = r.stdout.trim();
    return r.code === 0 && raw && raw !== "<no value>" ? raw : undefined;
  }

  /** The image must exist; the default one is made from `debian:bookworm-slim` when missing. */
  private async ensureImage(image: string): Promise<void> {
    const r = await this.run(["image", "inspect", image]);
    if (r.code === 0) return;
    if (!/no such image/i.test(r.stderr)) throw new Error(`Failed to inspect sandbox image ${image}: ${firstLine(r.stderr)}`);
    if (image !== DEFAULT_SANDBOX_IMAGE) {
      throw new Error(`Sandbox image not found: ${image}. Build or pull it first, or change agents.defaults.sandbox.docker.image.`);
    }
    await this.must(["pull", "debian:bookworm-slim"]);
    await this.must(["tag", "debian:bookworm-slim", DEFAULT_SANDBOX_IMAGE]);
  }

  private async maybePrune(cfg: OpenClawConfig): Promise<void> {
    const now = this.opts.now();
    if (now - this.lastPruneAt < PRUNE_INTERVAL_MS) return;
    this.lastPruneAt = now;
    try {
      await this.prune(cfg);
    } catch (err) {
      this.opts.log.warn(`sandbox prune failed: ${(err as Error).message}`);
    }
  }

  /**
   * Removes containers idle longer than `prune.idleHours` or older than `prune.maxAgeDays` (each 0 =
   * never), judged by the settings of the agent each container belongs to. Returns the removed names.
   */
  async prune(cfg: OpenClawConfig): Promise<string[]> {
    const now = this.opts.now();
    const removed: string[] = [];
    for (const entry of readRegistry(this.opts.stateDir)) {
      const { idleHours, maxAgeDays } = this.settings(cfg, agentIdOfScopeKey(entry.sessionKey) ?? defaultAgentId(cfg)).prune;
      const idle = idleHours > 0 && now - entry.lastUsedAtMs > idleHours * 3_600_000;
      const old = maxAgeDays > 0 && now - entry.createdAtMs > maxAgeDays * 86_400_000;
      if (!idle && !old) continue;
      await this.serialize(entry.containerName, async () => {
        await this.run(["rm", "-f", entry.containerName]).catch(() => undefined);
        removeRegistryEntry(this.opts.stateDir, entry.containerName);
      });
      removed.push(entry.containerName);
    }
    return removed;
  }

  /** The registry's containers with their live state (not running when the engine is unreachable). */
  async list(cfg: OpenClawConfig): Promise<SandboxContainer[]> {
    const reachable = (await this.probe()).ok;
    const out: SandboxContainer[] = [];
    for (const entry of readRegistry(this.opts.stateDir)) {
      let running = false;
      let image = entry.image;
      if (reachable) {
        running = (await this.state(entry.containerName)).running;
        const r = await this.run(["inspect", "-f", "{{.Config.Image}}", entry.containerName]);
        if (r.code === 0 && r.stdout.trim()) image = r.stdout.trim();
      }
      const configured = this.settings(cfg, agentIdOfScopeKey(entry.sessionKey) ?? defaultAgentId(cfg)).docker.image;
      out.push({ ...entry, image, running, imageMatch: image === configured });
    }
    return out;
  }

  /** The registry entries a filter selects (`all`, one scope key, or every container of an agent). */
  select(filter: RemoveFilter): SandboxRegistryEntry[] {
    const entries = readRegistry(this.opts.stateDir);
    if (filter.all) return entries;
    if (filter.session !== undefined) return entries.filter((e) => e.sessionKey === filter.session);
    if (filter.agentId !== undefined) {
      const prefix = `agent:${normalizeAgentId(filter.agentId)}`;
      return entries.filter((e) => e.sessionKey === prefix || e.sessionKey.startsWith(`${prefix}:`));
    }
    return [];
  }

  /**
   * Removes containers (`docker rm -f`) and their registry entries; the next run that needs one
   * creates it afresh with the current settings.
   */
  async remove(filter: RemoveFilter): Promise<{ removed: string[]; failed: Array<{ name: string; error: string }> }> {
    const removed: string[] = [];
    const failed: Array<{ name: string; error: string }> = [];
    for (const entry of this.select(filter)) {
      const name = entry.containerName;
      try {
        await this.serialize(name, async () => {
          const r = await this.run(["rm", "-f", name]);
          if (r.code !== 0 && !/no such container/i.test(r.stderr)) throw new Error(firstLine(r.stderr) || `exit ${r.code}`);
          removeRegistryEntry(this.opts.stateDir, name);
        });
        removed.push(name);
      } catch (err) {
        failed.push({ name, error: (err as Error).message });
      }
    }
    return { removed, failed };
  }
}

/** A sandbox workspace starts with the agent's prompt files (never overwriting what is there). */
function seedWorkspace(dir: string, seedFrom: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of SEED_FILES) {
    const src = path.join(seedFrom, file);
    const dest = path.join(dir, file);
    try {
      fs.copyFileSync(src, dest, fs.constants.COPYFILE_EXCL);
    } catch {
      /* missing in the agent workspace, or already in the sandbox one */
    }
  }
}
