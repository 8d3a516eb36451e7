/**
 * `openclaw doctor`: checks a deployment the way its owner would debug it, one finding per check,
 * each with a level, a stable id, what was found and what to do. With `fix`, repairs what is safe to
 * repair without asking: unknown config keys are removed (the file is backed up first), stale lock
 * files are deleted and a missing state directory is created.
 *
 * Every problem in the Fly.io guide's troubleshooting list has a check here, so `doctor` names it
 * before the owner has to recognise the symptom.
 */
import fs from "node:fs";
import path from "node:path";
import { editConfigFile, getPath, setPath, splitPath } from "../config/edit.js";
import { ConfigError } from "../config/errors.js";
import type { OpenClawConfig } from "../config/schema.js";
import { planAccounts } from "../channels/manager.js";
import { bundledChannels } from "../plugins/builtin.js";
import { AuthStore } from "../providers/auth.js";
import { ModelRefError, modelChainFor, providerInfo, resolveModel } from "../providers/models.js";
import type { Env } from "../infra/paths.js";
import { gatherContext, resolveEffective, type GatherOptions, type OpsContext } from "./context.js";
import { parseGatewayArgs } from "./fly.js";
import { heapCapMb, judgeHeapCap, suggestedHeapCapMb } from "./system.js";
import { checkVoiceCall } from "../voice-call/doctor.js";

export type Level = "ok" | "warn" | "error";

export interface Finding {
  /** Stable id (`config.valid`, `fly.internal_port`, `providers.anthropic`, …). */
  id: string;
  level: Level;
  message: string;
  /** What to do about it (absent when there is nothing to do). */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  stateDir: string;
  configPath: string;
  findings: Finding[];
  /** What `--fix` changed, one line each. */
  fixed: string[];
}

export interface DoctorOptions extends GatherOptions {
  fix?: boolean;
  /** Whether something answers `/healthz` on this port (guards stale-lock removal). */
  probeHealth?: (port: number) => Promise<boolean>;
}

const MB = 1024 * 1024;
const MIN_NODE = [20, 19] as const;

const ok = (id: string, message: string): Finding => ({ id, level: "ok", message });
const warn = (id: string, message: string, fix?: string): Finding => ({ id, level: "warn", message, ...(fix ? { fix } : {}) });
const error = (id: string, message: string, fix?: string): Finding => ({ id, level: "error", message, ...(fix ? { fix } : {}) });

async function defaultProbeHealth(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Node and memory
// ---------------------------------------------------------------------------------------------

function checkNode(ctx: OpsContext): Finding {
  const [major = 0, minor = 0] = ctx.system.nodeVersion.split(".").map(Number);
  const okVersion = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  if (!okVersion)
    return error(
      "node.version",
      `Node.js ${ctx.system.nodeVersion} is too old; the gateway needs ${MIN_NODE.join(".")} or newer`,
      "install Node.js 22 (the Docker image already uses it)",
    );
  return ok("node.version", `Node.js ${ctx.system.nodeVersion}`);
}

function checkHeap(ctx: OpsContext): Finding {
  const limit = ctx.system.memoryLimit();
  const nodeOptions = ctx.effective.nodeOptions;
  const cap = heapCapMb(nodeOptions.value);
  if (!limit) return ok("memory.heap", cap ? `heap cap ${cap} MB (memory limit unknown)` : "no heap cap set; memory limit unknown");
  const limitMb = Math.floor(limit.bytes / MB);
  const suggestion = `set NODE_OPTIONS=--max-old-space-size=${suggestedHeapCapMb(limitMb)} (half of ${limitMb} MB)`;
  if (cap === null) return ok("memory.heap", `${limitMb} MB available (${limit.source}); no heap cap set, V8 sizes the heap itself`);
  const verdict = judgeHeapCap(cap, limitMb);
  if (verdict === "over")
    return error(
      "memory.heap",
      `${nodeOptions.source} sets --max-old-space-size=${cap} but this machine has ${limitMb} MB (${limit.source}): the heap may outgrow the memory and the process is killed (OOM) instead of collecting garbage`,
      suggestion,
    );
  if (verdict === "tight")
    return warn(
      "memory.heap",
      `heap cap ${cap} MB leaves only ${limitMb - cap} MB of ${limitMb} MB (${limit.source}) for the rest of Node`,
      suggestion,
    );
  return ok("memory.heap", `heap cap ${cap} MB fits ${limitMb} MB (${limit.source})`);
}

// ---------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------

function checkConfig(ctx: OpsContext, fix: boolean, fixed: string[]): Finding[] {
  const snap = ctx.snapshot;
  const out: Finding[] = [];
  if (!snap.exists) {
    out.push(
      warn(
        "config.file",
        `no config file at ${snap.path}; the gateway runs on defaults (and only with --allow-unconfigured)`,
        `create it with \`openclaw config set gateway.mode local\`, or copy your openclaw.json there`,
      ),
    );
    return out;
  }
  if (snap.valid) {
    out.push(ok("config.valid", `${snap.path} is valid`));
  } else {
    let unknown = snap.issues.filter((i) => i.message === "unknown key");
    const other = snap.issues.filter((i) => i.message !== "unknown key");
    if (fix && unknown.length > 0) {
      const removable = unknown.filter((i) => getPath(snap.parsed, splitPath(i.path)) !== undefined);
      try {
        editConfigFile(snap.path, { ...ctx.env }, (parsed) =>
          removable.reduce((acc, i) => setPath(acc, splitPath(i.path), undefined), parsed),
        );
        fixed.push(
          `removed unknown config keys from ${snap.path}: ${removable.map((i) => i.path).join(", ")} (previous file kept as ${snap.path}.bak)`,
        );
        unknown = unknown.filter((i) => !removable.includes(i));
        if (unknown.length === 0 && other.length === 0) {
          out.push(ok("config.valid", `${snap.path} is valid after removing ${removable.length} unknown key(s)`));
          return out;
        }
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        // Other problems remain; the file is left as it was and they are reported below.
      }
    }
    if (unknown.length > 0)
      out.push(
        error(
          "config.unknown_keys",
          `unknown keys in ${snap.path} (the gateway ignores the whole file until they are gone): ${unknown.map((i) => i.path).join(", ")}`,
          other.length > 0
            ? "fix the other problems below, then run `openclaw doctor --fix` to remove the unknown keys"
            : "run `openclaw doctor --fix` to remove them (the file is backed up to openclaw.json.bak first), or correct their spelling",
        ),
      );
    if (other.length > 0)
      out.push(
        error(
          "config.valid",
          `${snap.path} is invalid; the gateway runs on safe defaults until it is fixed:\n${other.map((i) => `${i.path || "<root>"}: ${i.message}`).join("\n")}`,
          "correct each key named above (`openclaw config validate` re-checks); a running gateway applies the fix as soon as the file is saved",
        ),
      );
  }
  if (snap.warnings.length > 0)
    out.push(
      warn(
        "config.unimplemented",
        `accepted but not acted on by this gateway yet: ${snap.warnings.map((w) => w.path).join(", ")}`,
        "nothing breaks; remove them if you expected them to do something here",
      ),
    );
  const mode = snap.valid ? snap.config.gateway?.mode : undefined;
  const allowUnconfigured =
    ctx.running?.args.allowUnconfigured || (ctx.fly ? parseGatewayArgs(ctx.fly.processArgv).allowUnconfigured : false);
  if (snap.valid && mode !== "local" && !allowUnconfigured)
    out.push(
      warn(
        "gateway.mode",
        `gateway.mode is ${mode === undefined ? "not set" : JSON.stringify(mode)}: \`openclaw gateway\` only starts with --allow-unconfigured`,
        "run `openclaw config set gateway.mode local`",
      ),
    );
  return out;
}

// ---------------------------------------------------------------------------------------------
// State directory and locks
// ---------------------------------------------------------------------------------------------

function checkStateDir(ctx: OpsContext, fix: boolean, fixed: string[]): Finding[] {
  const dir = ctx.stateDir;
  const out: Finding[] = [];
  let exists = fs.existsSync(dir);
  if (!exists && fix) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fixed.push(`created the state directory ${dir}`);
      exists = true;
    } catch {
      /* reported below */
    }
  }
  if (!exists) {
    out.push(
      warn(
        "state.dir",
        `state directory ${dir} does not exist yet`,
        "the gateway creates it at start; `openclaw doctor --fix` creates it now",
      ),
    );
  } else {
    const probe = path.join(dir, `.doctor-${process.pid}.tmp`);
    try {
      fs.writeFileSync(probe, "");
      fs.rmSync(probe);
      out.push(ok("state.dir", `state directory ${dir} is writable`));
    } catch (e) {
      const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
      out.push(
        error(
          "state.dir",
          `cannot write to the state directory ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); sessions, pairings and credentials cannot be saved`,
          `give the gateway's user ownership of it (\`chown -R ${uid ?? "<uid>"} ${dir}\`), or point OPENCLAW_STATE_DIR at a writable directory`,
        ),
      );
    }
  }

  if (exists) {
    const foreign = foreignOwned(dir);
    if (foreign)
      out.push(
        warn(
          "state.ownership",
          `${foreign.count}${foreign.truncated ? "+" : ""} file(s) in the state directory belong to uid ${foreign.uids.join(", ")} while the directory belongs to uid ${foreign.dirUid} (for example ${foreign.examples.join(", ")}); a gateway running as uid ${foreign.dirUid} cannot update them`,
          `\`chown -R ${foreign.dirUid}:${foreign.dirGid} ${dir}\` (Fly: \`fly ssh console -C "chown -R node:node ${dir}"\`)`,
        ),
      );
  }

  const container = ctx.system.container();
  if (container) {
    const mount = ctx.system.mountPointOf(dir);
    const explicit = Boolean(ctx.env.OPENCLAW_STATE_DIR?.trim());
    if (!explicit)
      out.push(
        warn(
          "state.persistent",
          `this is a container (${container}) and OPENCLAW_STATE_DIR is not set, so state goes to ${dir} inside the container and is lost when it is replaced`,
          'mount a volume (Fly: `[mounts] destination = "/data"`) and set OPENCLAW_STATE_DIR=/data',
        ),
      );
    else if (mount === "/")
      out.push(
        warn(
          "state.persistent",
          `this is a container (${container}) and the state directory ${dir} is not on a mounted volume: sessions, pairings and credentials are lost when the container is replaced`,
          'mount a volume at the state directory (Fly: `[mounts] source = "openclaw_data"`, `destination = "/data"`; Docker: `-v openclaw-data:/data`)',
        ),
      );
    else out.push(ok("state.persistent", `state directory ${dir} is on the volume mounted at ${mount ?? "?"}`));
  }
  return out;
}

const FOREIGN_SCAN_LIMIT = 2000;

/**
 * Files under `dir` owned by another user than `dir` itself: what a state directory copied as root
 * (an old volume, `fly ssh console` as root) looks like to a gateway that runs unprivileged.
 */
function foreignOwned(
  dir: string,
): { count: number; truncated: boolean; uids: number[]; dirUid: number; dirGid: number; examples: string[] } | null {
  if (process.platform === "win32") return null;
  let top: fs.Stats;
  try {
    top = fs.statSync(dir);
  } catch {
    return null;
  }
  const uids = new Set<number>();
  const examples: string[] = [];
  let count = 0;
  let seen = 0;
  const walk = (d: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (++seen > FOREIGN_SCAN_LIMIT) return;
      if (e.isSymbolicLink()) continue;
      const p = path.join(d, e.name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.uid !== top.uid) {
        count++;
        uids.add(st.uid);
        if (examples.length < 3) examples.push(path.relative(dir, p));
      }
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
    }
  };
  walk(dir, 1);
  return count > 0 ? { count, truncated: seen > FOREIGN_SCAN_LIMIT, uids: [...uids], dirUid: top.uid, dirGid: top.gid, examples } : null;
}

function describeLockOwner(ctx: OpsContext): string {
  const r = ctx.running;
  if (!r) return "";
  const cmd = r.argv.map((a) => (a === r.args.token || a === r.args.password ? "***" : a)).join(" ");
  return ` (${cmd}${r.listeningPorts.length ? `; listening on port ${r.listeningPorts.join(", ")}` : ""})`;
}

async function checkLocks(ctx: OpsContext, opts: DoctorOptions, fixed: string[]): Promise<Finding[]> {
  if (ctx.locks.length === 0) return [ok("gateway.lock", `no gateway is running on ${ctx.stateDir}`)];
  const out: Finding[] = [];
  for (const lock of ctx.locks) {
    const name = path.basename(lock.file);
    if (lock.alive && lock.info) {
      const since = lock.info.createdAt ? ` since ${lock.info.createdAt}` : "";
      out.push(
        ok(
          "gateway.lock",
          `gateway running as pid ${lock.info.pid}${since}${ctx.running?.pid === lock.info.pid ? describeLockOwner(ctx) : ""}; lock ${name}`,
        ),
      );
      continue;
    }
    const what = lock.info ? `left by pid ${lock.info.pid}, which is no longer running` : "unreadable";
    if (opts.fix && !(await (opts.probeHealth ?? defaultProbeHealth)(ctx.effective.port.value))) {
      fs.rmSync(lock.file, { force: true });
      fixed.push(`removed the stale lock ${lock.file}`);
      out.push(ok("gateway.lock", `no gateway is running on ${ctx.stateDir}; removed the stale lock ${name} (${what})`));
      continue;
    }
    out.push(
      warn(
        "gateway.lock",
        `stale lock ${lock.file} (${what})`,
        "nothing to do: the gateway reclaims it at start (`openclaw doctor --fix` removes it now)",
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bind, auth and Fly.io
// ---------------------------------------------------------------------------------------------

function checkBind(ctx: OpsContext): Finding {
  const e = ctx.effective;
  const where = `bind "${e.bind.value}" (${e.bind.source}), port ${e.listeningPort ?? e.port.value} (${e.listeningPort !== null && e.listeningPort !== e.port.value ? "listening" : e.port.source})`;
  if (e.publicBind && e.auth.mode === "none")
    return error(
      "gateway.auth",
      `${where} reaches beyond this machine but no gateway token or password is set: the gateway refuses to start`,
      "set OPENCLAW_GATEWAY_TOKEN (Fly: `fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)`), or bind loopback",
    );
  if (e.publicBind) return ok("gateway.auth", `${where}; clients authenticate with ${e.auth.mode} from ${e.authSource}`);
  return ok(
    "gateway.auth",
    `${where}; only this machine can connect${e.auth.mode === "none" ? "" : ` (${e.auth.mode} from ${e.authSource})`}`,
  );
}

function checkFly(ctx: OpsContext): Finding[] {
  if (ctx.flyError) return [error("fly.config", ctx.flyError, "fix the TOML syntax (`fly config validate` shows the line)")];
  const fly = ctx.fly;
  if (!fly) return [];
  const out: Finding[] = [];
  const file = path.basename(fly.file);
  const args = parseGatewayArgs(fly.processArgv);
  if (!fly.processCommand || !args.isGateway) {
    out.push(
      error(
        "fly.process",
        `${file} has no [processes] command that runs the gateway${fly.processCommand ? ` ("${fly.processCommand}")` : ""}`,
        `set [processes] app = "node dist/index.js gateway --allow-unconfigured --port 3000 --bind lan"`,
      ),
    );
    return out;
  }
  const flyEnv: Env = { ...fly.env };
  const planned = resolveEffective(ctx.config, flyEnv, args);
  // Inside the machine, the running gateway's real port is the one that must match.
  const port = ctx.running ? (ctx.effective.listeningPort ?? ctx.effective.port.value) : planned.port.value;
  const portSource = ctx.running
    ? `the running gateway (pid ${ctx.running.pid}) listens on ${port}`
    : `the gateway listens on ${port} (${planned.port.source === "--port" ? `--port in [processes].${fly.processName}` : planned.port.source === "OPENCLAW_GATEWAY_PORT" ? "OPENCLAW_GATEWAY_PORT in [env]" : planned.port.source === "gateway.port" ? "gateway.port in openclaw.json" : "default; no --port in the process command"})`;
  if (fly.publicService) {
    if (fly.internalPort === null)
      out.push(error("fly.internal_port", `${file} has a service without internal_port`, `set internal_port = ${port}`));
    else if (fly.internalPort !== port)
      out.push(
        error(
          "fly.internal_port",
          `internal_port = ${fly.internalPort} in ${file} but ${portSource}: Fly's proxy and health checks cannot reach it ("connection refused")`,
          `make them equal: internal_port = ${port}, or --port ${fly.internalPort} in the process command`,
        ),
      );
    else out.push(ok("fly.internal_port", `internal_port ${fly.internalPort} matches the gateway port`));
  }
  if (!planned.publicBind)
    out.push(
      error(
        "fly.bind",
        `the process command binds "${planned.bind.value}" (${planned.bind.source}), so the gateway listens on 127.0.0.1 only: Fly reports "App is not listening on expected address"`,
        `add --bind lan to [processes].${fly.processName}`,
      ),
    );
  else
    out.push(
      ok(
        "fly.bind",
        `the process command binds "${planned.bind.value}"; remember \`fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)\` (a lan bind refuses to start without it)`,
      ),
    );
  const stateDir = fly.env.OPENCLAW_STATE_DIR;
  if (!fly.mount)
    out.push(
      error(
        "fly.mount",
        `${file} mounts no volume: state is written inside the machine and lost on every deploy`,
        `add [mounts] source = "openclaw_data", destination = "/data" and OPENCLAW_STATE_DIR = "/data" in [env]`,
      ),
    );
  else if (!stateDir)
    out.push(
      error(
        "fly.mount",
        `${file} mounts ${fly.mount.destination} but [env] does not set OPENCLAW_STATE_DIR, so state goes to ~/.openclaw inside the machine`,
        `set OPENCLAW_STATE_DIR = "${fly.mount.destination}" in [env]`,
      ),
    );
  else if (!(stateDir === fly.mount.destination || stateDir.startsWith(fly.mount.destination.replace(/\/$/, "") + "/")))
    out.push(
      error(
        "fly.mount",
        `OPENCLAW_STATE_DIR = "${stateDir}" is outside the volume mounted at ${fly.mount.destination}: state is lost on every deploy`,
        `set OPENCLAW_STATE_DIR = "${fly.mount.destination}"`,
      ),
    );
  else
    out.push(
      ok(
        "fly.mount",
        `state directory ${stateDir} is on the volume ${fly.mount.source ?? ""} mounted at ${fly.mount.destination}`.replace("  ", " "),
      ),
    );

  const cap = heapCapMb(fly.env.NODE_OPTIONS);
  if (fly.vmMemoryMb !== null && cap !== null) {
    const verdict = judgeHeapCap(cap, fly.vmMemoryMb);
    const fixText = `set NODE_OPTIONS = "--max-old-space-size=${suggestedHeapCapMb(fly.vmMemoryMb)}" in [env] for a ${fly.vmMemoryMb} MB machine`;
    if (verdict === "over")
      out.push(
        error(
          "fly.memory",
          `NODE_OPTIONS allows a ${cap} MB heap on a ${fly.vmMemoryMb} MB machine: the process is killed (OOM, silent restarts) before V8 collects garbage`,
          fixText,
        ),
      );
    else if (verdict === "tight")
      out.push(warn("fly.memory", `a ${cap} MB heap leaves little of the ${fly.vmMemoryMb} MB machine for the rest of Node`, fixText));
    else out.push(ok("fly.memory", `heap cap ${cap} MB fits the ${fly.vmMemoryMb} MB machine`));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Providers and channels
// ---------------------------------------------------------------------------------------------

function agentIds(cfg: OpenClawConfig): string[] {
  const ids = (cfg.agents?.list ?? []).map((a) => a.id);
  return ids.length > 0 ? ids : ["main"];
}

function checkProviders(ctx: OpsContext, env: Env): Finding[] {
  const cfg = ctx.config;
  const out: Finding[] = [];
  // provider → { primary: used as some agent's primary, refs }
  const needs = new Map<string, { primary: boolean; refs: Set<string>; agents: Set<string> }>();
  for (const agentId of agentIds(cfg)) {
    modelChainFor(cfg, agentId).forEach((ref, i) => {
      let provider: string;
      try {
        provider = resolveModel(cfg, ref).provider;
      } catch (e) {
        if (!(e instanceof ModelRefError)) throw e;
        out.push(
          error(
            `models.${agentId}`,
            `agent "${agentId}": ${e.message}`,
            "fix the model ref in agents.defaults.model or agents.list[].model",
          ),
        );
        return;
      }
      const n = needs.get(provider) ?? { primary: false, refs: new Set(), agents: new Set() };
      n.primary ||= i === 0;
      n.refs.add(ref);
      n.agents.add(agentId);
      needs.set(provider, n);
    });
  }
  for (const [provider, n] of needs) {
    let info;
    try {
      info = providerInfo(cfg, provider);
    } catch (e) {
      out.push(error(`providers.${provider}`, (e as Error).message));
      continue;
    }
    if (!info) continue;
    const agent = [...n.agents][0]!;
    const creds = AuthStore.forAgent(ctx.stateDir, agent).credentials(cfg, info, env);
    const refs = [...n.refs].join(", ");
    if (creds.length === 0) {
      const keyName = info.envKeys[0] ?? `${provider.toUpperCase()}_API_KEY`;
      const fix = `set ${keyName} (Fly: \`fly secrets set ${keyName}=…\`), or add a key with models.providers.${provider}.apiKey: "\${${keyName}}"`;
      if (n.primary)
        out.push(
          error(
            `providers.${provider}`,
            `no API key for ${provider}, which the primary model needs (${refs}): the agent cannot answer`,
            fix,
          ),
        );
      else out.push(warn(`providers.${provider}`, `no API key for ${provider} (fallback ${refs}): failing over to it will fail`, fix));
      continue;
    }
    const c = creds[0]!;
    const from =
      c.source === "env"
        ? (info.envKeys.find((k) => env[k]?.trim()) ?? "the environment")
        : c.source === "profile"
          ? `auth profile ${c.profileId}`
          : c.source === "config"
            ? `models.providers.${provider}.apiKey`
            : "no key needed (local server)";
    out.push(ok(`providers.${provider}`, `${provider}: key from ${from} (${refs})`));
  }
  return out;
}

function checkChannels(ctx: OpsContext, env: Env): Finding[] {
  const cfg = ctx.config;
  const out: Finding[] = [];
  const catalog = bundledChannels();
  const plans = planAccounts(cfg, env, catalog);
  for (const plan of plans) {
    const label = plan.accountId === "default" ? plan.channel : `${plan.channel} account "${plan.accountId}"`;
    const id = plan.accountId === "default" ? `channels.${plan.channel}` : `channels.${plan.channel}.${plan.accountId}`;
    const desc = catalog.get(plan.channel)!;
    if (desc.setup) {
      const check = desc.setup(plan.config, plan.accountId, env, ctx.stateDir);
      out.push(check.ok ? ok(id, `${label}: ${check.detail}`) : error(id, `${label}: ${check.detail}`, check.fix ?? ""));
      continue;
    }
    if (!desc.resolveToken) continue;
    const envToken = desc.envToken ?? "";
    const configKey = desc.tokenKey ?? "botToken";
    const where =
      plan.accountId === "default"
        ? `channels.${plan.channel}.${configKey}`
        : `channels.${plan.channel}.accounts.${plan.accountId}.${configKey}`;
    const resolved = desc.resolveToken(plan.config, plan.accountId, env);
    if (!resolved.token) {
      out.push(
        error(
          id,
          `${label} is enabled but has no bot token${resolved.error && !resolved.error.startsWith("no bot token") ? ` (${resolved.error})` : ""}: it cannot connect`,
          plan.accountId === "default" && envToken
            ? `set ${envToken} (Fly: \`fly secrets set ${envToken}=…\`), or ${where}: "\${${envToken}}"`
            : `set ${where} (a \${VAR} reference keeps the token itself out of the file)`,
        ),
      );
      continue;
    }
    out.push(ok(id, `${label}: bot token from ${resolved.source === "env" && envToken ? envToken : where}`));
  }
  if (plans.length === 0) out.push(ok("channels", "no chat channels configured (the Control UI and CLI still work)"));
  return out;
}

// ---------------------------------------------------------------------------------------------

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const fixed: string[] = [];
  const fix = opts.fix ?? false;
  let ctx = await gatherContext(opts);
  const findings: Finding[] = [checkNode(ctx)];
  findings.push(...checkConfig(ctx, fix, fixed));
  // A repaired config changes what the remaining checks see.
  if (fixed.length > 0) ctx = await gatherContext(opts);
  findings.push(...checkStateDir(ctx, fix, fixed));
  findings.push(...(await checkLocks(ctx, opts, fixed)));
  findings.push(checkBind(ctx));
  findings.push(...checkFly(ctx));
  const env: Env = ctx.running?.env ? { ...opts.env, ...ctx.running.env } : opts.env;
  findings.push(...checkProviders(ctx, env));
  findings.push(...checkChannels(ctx, env));
  findings.push(...checkVoiceCall(ctx.config, env));
  findings.push(checkHeap(ctx));
  return {
    ok: !findings.some((f) => f.level === "error"),
    stateDir: ctx.stateDir,
    configPath: ctx.configPath,
    findings,
    fixed,
  };
}

const LABEL: Record<Level, string> = { ok: "ok   ", warn: "warn ", error: "error" };

/** The report as a person reads it: one block per finding, problems first, counts last. */
export function formatDoctor(report: DoctorReport): string {
  const lines = [`openclaw doctor: state ${report.stateDir}, config ${report.configPath}`, ""];
  const order: Record<Level, number> = { error: 0, warn: 1, ok: 2 };
  const sorted = [...report.findings].sort((a, b) => order[a.level] - order[b.level]);
  for (const f of sorted) {
    const [first, ...more] = f.message.split("\n");
    lines.push(`${LABEL[f.level]}  ${f.id}: ${first}`);
    for (const m of more) lines.push(`         ${m}`);
    if (f.fix) lines.push(`       → ${f.fix}`);
  }
  if (report.fixed.length > 0) {
    lines.push("", "fixed:");
    for (const f of report.fixed) lines.push(`  - ${f}`);
  }
  const count = (l: Level) => report.findings.filter((f) => f.level === l).length;
  lines.push("", `${count("error")} error(s), ${count("warn")} warning(s), ${count("ok")} ok`);
  return lines.join("\n") + "\n";
}
