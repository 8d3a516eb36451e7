/**
 * `openclaw approvals get|set|allowlist add|remove|resolve`: the exec approvals file of the running
 * gateway (`exec.approvals.get|set`, always against the hash just read) and, for an owner without the
 * Control UI, a decision on a command that waits for one (`exec.approval.resolve`).
 *
 * The gateway is the only exec host here, so `--gateway` is what every command does anyway; `--node`
 * is refused with that explanation. The file lives in the gateway's state directory, not next to the
 * CLI, which is why even `get` goes through the gateway.
 */
import fs from "node:fs/promises";
import { parseJson5Text } from "../infra/json5.js";
import type { Command } from "commander";
import { callGateway, cliAction, gatewayCallOptions, printJson } from "./call.js";
import { age, table } from "./table.js";
import type { TargetFlags } from "./target.js";

type Flags = TargetFlags & { json?: boolean; gateway?: boolean; node?: string };

interface AllowlistEntry {
  id?: string;
  pattern: string;
  lastUsedAt?: number;
  lastUsedCommand?: string;
  lastResolvedPath?: string;
}
interface AgentEntry {
  security?: string;
  ask?: string;
  askFallback?: string;
  autoAllowSkills?: boolean;
  allowlist?: AllowlistEntry[];
}
interface ApprovalsFile {
  version: 1;
  socket?: { path?: string };
  defaults?: Omit<AgentEntry, "allowlist">;
  agents?: Record<string, AgentEntry>;
}
interface Snapshot {
  path: string;
  exists: boolean;
  hash: string;
  file: ApprovalsFile;
}

const DECISIONS = ["allow-once", "allow-always", "deny"] as const;

/** A failure already worded for the user: printed as it is. */
class UsageError extends Error {}

function callOptions(cmd: Command): Command {
  return gatewayCallOptions(
    cmd
      .option("--gateway", "use the gateway's approvals (the default: the gateway is the only exec host)")
      .option("--node <id>", "a node's approvals (not supported by this gateway)"),
  );
}

function refuseNode(flags: Flags): void {
  if (flags.node === undefined) return;
  throw new UsageError(
    `nodes are not supported by this gateway: exec runs on the gateway host only, so its approvals are the only ones (drop --node ${flags.node})`,
  );
}

function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function defaultsSummary(d: ApprovalsFile["defaults"]): string {
  const parts = [
    d?.security ? `security=${d.security}` : null,
    d?.ask ? `ask=${d.ask}` : null,
    d?.askFallback ? `askFallback=${d.askFallback}` : null,
    typeof d?.autoAllowSkills === "boolean" ? `autoAllowSkills=${d.autoAllowSkills ? "on" : "off"}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? parts.join(", ") : "none";
}

/** The file as a summary table, then every allowlist entry of every agent. */
function render(snapshot: Snapshot): string {
  const file = snapshot.file ?? { version: 1 };
  const agents = file.agents ?? {};
  const now = Date.now();
  const rows: string[][] = [];
  for (const [agentId, agent] of Object.entries(agents)) {
    for (const entry of Array.isArray(agent.allowlist) ? agent.allowlist : []) {
      const pattern = entry?.pattern?.trim();
      if (!pattern) continue;
      rows.push([
        agentId,
        pattern,
        typeof entry.lastUsedAt === "number" ? `${age(now - entry.lastUsedAt)} ago` : "never",
        entry.lastUsedCommand ? oneLine(entry.lastUsedCommand) : "",
      ]);
    }
  }
  const agentLevels = Object.entries(agents)
    .map(([id, a]) => [id, defaultsSummary(a)] as const)
    .filter(([, s]) => s !== "none");
  const out = [
    "Approvals (gateway)",
    table([
      ["Field", "Value"],
      ["Path", snapshot.path],
      ["Exists", snapshot.exists ? "yes" : "no"],
      ["Hash", snapshot.hash],
      ["Defaults", defaultsSummary(file.defaults)],
      ...agentLevels.map(([id, s]) => [`Agent ${id}`, s]),
      ["Agents", String(Object.keys(agents).length)],
      ["Allowlist", String(rows.length)],
    ]),
    "",
  ];
  if (!rows.length) out.push("No allowlist entries.");
  else out.push("Allowlist", table([["Agent", "Pattern", "Last Used", "Last Command"], ...rows]));
  return out.join("\n") + "\n";
}

function print(snapshot: Snapshot, flags: Flags, headline?: string): void {
  if (flags.json) return printJson(snapshot);
  process.stdout.write((headline ? `${headline}\n\n` : "") + render(snapshot));
}

const load = (flags: Flags) => callGateway<Snapshot>("exec.approvals.get", {}, flags);
const save = (file: ApprovalsFile, baseHash: string, flags: Flags) =>
  callGateway<Snapshot>("exec.approvals.set", { file, baseHash }, flags);

function isConflict(e: unknown): boolean {
  return /changed since last load/.test((e as Error).message);
}

async function readInput(source: string): Promise<string> {
  if (source === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await fs.readFile(source, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `cannot read ${source}: no such file` : `cannot read ${source}: ${(e as Error).message}`);
  }
}

/**
 * Reads the file, changes one agent's allowlist and saves it against the hash read. When someone else
 * saved in between, reads again and retries once. `edit` returns null when there is nothing to change.
 */
async function editAllowlist(
  flags: Flags,
  agentKey: string,
  edit: (entries: AllowlistEntry[]) => AllowlistEntry[] | null,
): Promise<Snapshot | null> {
  for (let attempt = 0; ; attempt++) {
    const snapshot = await load(flags);
    const file: ApprovalsFile = { ...(snapshot.file ?? {}), version: 1 };
    const agents = { ...(file.agents ?? {}) };
    const agent: AgentEntry = { ...(agents[agentKey] ?? {}) };
    const next = edit(Array.isArray(agent.allowlist) ? agent.allowlist : []);
    if (!next) return null;
    if (next.length) agent.allowlist = next;
    else delete agent.allowlist;
    const empty = !agent.allowlist && !agent.security && !agent.ask && !agent.askFallback && agent.autoAllowSkills === undefined;
    if (empty) delete agents[agentKey];
    else agents[agentKey] = agent;
    file.agents = agents;
    try {
      return await save(file, snapshot.hash, flags);
    } catch (e) {
      if (attempt === 0 && isConflict(e)) continue;
      throw e;
    }
  }
}

function patternArg(pattern: string): string {
  const trimmed = pattern.trim();
  if (!trimmed) throw new UsageError('pattern required, e.g. openclaw approvals allowlist add "/usr/bin/uptime"');
  return trimmed;
}

const agentArg = (agent: string | undefined) => agent?.trim() || "*";
const agentLabel = (key: string) => (key === "*" ? "all agents (*)" : `agent ${key}`);

export function registerApprovals(program: Command): void {
  const approvals = program
    .command("approvals")
    .alias("exec-approvals")
    .description("Exec approvals: the gateway's approvals file, its allowlists, and pending decisions");

  callOptions(approvals.command("get").description("Show the approvals file: defaults and each agent's allowlist")).action(
    cliAction(async (flags: Flags) => {
      refuseNode(flags);
      print(await load(flags), flags);
    }),
  );

  callOptions(
    approvals
      .command("set")
      .description("Replace the approvals file with a JSON (or JSON5) file")
      .option("--file <path>", "the file to upload (- for stdin)")
      .option("--stdin", "read the file from stdin"),
  ).action(
    cliAction(async (flags: Flags & { file?: string; stdin?: boolean }) => {
      refuseNode(flags);
      if (flags.file !== undefined && flags.stdin) throw new UsageError("use either --file or --stdin, not both");
      const source = flags.stdin ? "-" : flags.file?.trim();
      if (!source) throw new UsageError("--file <path> required (or --stdin): the approvals JSON to upload");
      const name = source === "-" ? "stdin" : source;
      const raw = await readInput(source);
      let parsed: unknown;
      try {
        parsed = parseJson5Text(raw);
      } catch (e) {
        throw new UsageError(`${name} is not valid JSON: ${(e as Error).message}; nothing was changed`);
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new UsageError(`${name} must hold a JSON object like {"version": 1, "agents": {}}; nothing was changed`);
      const file = { version: 1, ...(parsed as Record<string, unknown>) } as ApprovalsFile;
      const current = await load(flags);
      let saved: Snapshot;
      try {
        saved = await save(file, current.hash, flags);
      } catch (e) {
        throw new UsageError(`the gateway refused ${name}, nothing was changed: ${(e as Error).message}`);
      }
      print(saved, flags, `Saved ${name} to ${saved.path}`);
    }),
  );

  const allowlist = approvals.command("allowlist").description("Add or remove allowlist patterns of an agent");

  callOptions(
    allowlist
      .command("add")
      .description("Allow a binary path pattern (glob) for an agent")
      .argument("<pattern>", 'path pattern, e.g. "/usr/bin/uptime" or "~/Projects/**/bin/rg"')
      .option("--agent <id>", 'agent id, or "*" for all agents', "*"),
  ).action(
    cliAction(async (pattern: string, flags: Flags & { agent?: string }) => {
      refuseNode(flags);
      const wanted = patternArg(pattern);
      const key = agentArg(flags.agent);
      const saved = await editAllowlist(flags, key, (entries) =>
        entries.some((e) => e?.pattern?.trim() === wanted) ? null : [...entries, { pattern: wanted, lastUsedAt: Date.now() }],
      );
      if (!saved) {
        if (flags.json) return printJson({ changed: false, agent: key, pattern: wanted, reason: "already allowlisted" });
        process.stdout.write(`Already allowlisted for ${agentLabel(key)}: ${wanted}\n`);
        return;
      }
      print(saved, flags, `Added ${wanted} for ${agentLabel(key)}`);
    }),
  );

  callOptions(
    allowlist
      .command("remove")
      .description("Remove an allowlist pattern of an agent")
      .argument("<pattern>", "the pattern exactly as listed by `openclaw approvals get`")
      .option("--agent <id>", 'agent id, or "*" for all agents', "*"),
  ).action(
    cliAction(async (pattern: string, flags: Flags & { agent?: string }) => {
      refuseNode(flags);
      const wanted = patternArg(pattern);
      const key = agentArg(flags.agent);
      const saved = await editAllowlist(flags, key, (entries) => {
        const kept = entries.filter((e) => e?.pattern?.trim() !== wanted);
        return kept.length === entries.length ? null : kept;
      });
      if (!saved) {
        if (flags.json) return printJson({ changed: false, agent: key, pattern: wanted, reason: "pattern not found" });
        process.stdout.write(`Pattern not found for ${agentLabel(key)}: ${wanted} (nothing to remove)\n`);
        return;
      }
      print(saved, flags, `Removed ${wanted} for ${agentLabel(key)}`);
    }),
  );

  callOptions(
    approvals
      .command("resolve")
      .description("Decide on a command waiting for approval (the id is in the approval request message)")
      .argument("<id>", "approval id (or a unique prefix of at least 4 characters)")
      .argument("<decision>", DECISIONS.join(" | ")),
  ).action(
    cliAction(async (id: string, decision: string, flags: Flags) => {
      refuseNode(flags);
      const wanted = id.trim();
      if (!wanted) throw new UsageError("approval id required");
      if (!(DECISIONS as readonly string[]).includes(decision))
        throw new UsageError(`decision must be one of ${DECISIONS.join(", ")} (got "${decision}")`);
      try {
        await callGateway("exec.approval.resolve", { id: wanted, decision }, flags);
      } catch (e) {
        if (/unknown approval id/.test((e as Error).message))
          throw new UsageError(
            `no command is waiting for approval with id ${wanted}: it may have been decided already or timed out, or the id is mistyped`,
          );
        throw e;
      }
      if (flags.json) return printJson({ ok: true, id: wanted, decision });
      process.stdout.write(`Resolved ${wanted}: ${decision}\n`);
    }),
  );
}
