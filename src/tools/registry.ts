/**
 * Tools the agent may call. Each tool validates its arguments with a zod schema (the same schema,
 * turned into JSON Schema, is what the model sees), so a malformed call from the model becomes a
 * readable error result the model can correct, never an exception in the gateway.
 *
 * Every call is bounded the same way: a tool that throws, hangs past its time limit, is stopped by
 * the run's abort, or answers with more text than a model should read comes back as a result the
 * model can act on (an error saying what happened, or the text cut short with a note).
 */
import * as z from "zod";
// Before the tools below: they call defineTool while this module is still being loaded.
import { withLazyProperty } from "../infra/lazy.js";
import type { OpenClawConfig } from "../config/schema.js";
import { applyPatchTool } from "./fs/apply-patch.js";
import { RAW_TOOL_ARGUMENTS_KEY, type ToolSpec } from "../providers/types.js";
import { editTool } from "./fs/edit.js";
import { readTool } from "./fs/read.js";
import { writeTool } from "./fs/write.js";
import type { RunOrigin, SandboxExec, ToolHost } from "./host.js";

export interface ToolContext {
  sessionKey: string;
  agentId: string;
  workspaceDir: string;
  signal: AbortSignal;
  now: () => number;
  /** The config in force for this run (tools read their settings from it). */
  config?: OpenClawConfig;
  /** The chat this run answers; unset for operator runs (Control UI, CLI, HTTP). */
  origin?: RunOrigin;
  /** Whether the message came from the owner or an allowlisted sender (operators always are). */
  senderAuthorized?: boolean;
  /** The gateway's services (approvals, models, agents, channels, the gateway itself). */
  host?: ToolHost;
  /** The gateway's environment (API keys for tools that need them); default the process's. */
  env?: Record<string, string | undefined>;
  /** Set when this session runs sandboxed: commands go into its container. */
  sandbox?: SandboxExec;
}

export interface ToolResult {
  text: string;
  isError?: boolean;
  details?: unknown;
}

/**
 * How long one tool call may run before it is stopped and answered with a timeout error. OpenClaw
 * has no general per-call limit; the run's own limit (`agents.defaults.timeoutSeconds`) still applies
 * on top of this one.
 */
export const DEFAULT_TOOL_TIMEOUT_MS = 120_000;
/** The most characters of a tool's result text the model is given (64 Ki characters). */
export const DEFAULT_TOOL_RESULT_MAX_CHARS = 64 * 1024;

export interface ToolLimits {
  /** Per call, unless the tool sets its own `timeoutMs`. Default {@link DEFAULT_TOOL_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default {@link DEFAULT_TOOL_RESULT_MAX_CHARS}. */
  maxResultChars?: number;
}

export interface Tool<A = unknown> {
  name: string;
  description: string;
  args: z.ZodType<A>;
  /**
   * This tool's own time limit per call, in place of the registry's. `0`: none here, because the
   * tool enforces a limit of its own (it must then honour `ctx.signal`).
   */
  timeoutMs?: number;
  /** The JSON Schema the model sees, when it is not derived from `args` (a plugin's tool). */
  parameters?: Record<string, unknown>;
  /** The plugin that provides it (tool policy: a plugin id names its tools). */
  pluginId?: string;
  /** Whether the tool is offered for this config and model (default: always). */
  available?(ctx: { config: OpenClawConfig; agentId: string; provider: string; modelId: string }): boolean;
  run(args: A, ctx: ToolContext): Promise<ToolResult> | ToolResult;
}

/**
 * A tool as written: its `args` may be a function that builds the schema, so that a gateway builds
 * the schemas of its tools when a run first needs them rather than all of them at start-up.
 */
export interface ToolDefinition<A> extends Omit<Tool<A>, "args"> {
  args: z.ZodType<A> | (() => z.ZodType<A>);
}

export function defineTool<A>(tool: ToolDefinition<A>): Tool<A> {
  const { args } = tool;
  return typeof args === "function" ? withLazyProperty<Tool<A>, "args">(tool, "args", args) : (tool as Tool<A>);
}

/** The tools one run may use: what the model is told about, and what it may call. */
export interface ToolSet {
  readonly size: number;
  toSpecs(): ToolSpec[];
  call(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolResult>;
}

export class ToolRegistry implements ToolSet {
  private tools = new Map<string, Tool<any>>();
  private specs: ToolSpec[] | null = null;
  private changes = 0;
  /** Each tool's spec, made once (JSON Schema from zod is not free). */
  private readonly specOf = new Map<Tool<any>, ToolSpec>();
  private readonly timeoutMs: number;
  private readonly maxResultChars: number;

  constructor(limits: ToolLimits = {}) {
    this.timeoutMs = limits.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    this.maxResultChars = limits.maxResultChars ?? DEFAULT_TOOL_RESULT_MAX_CHARS;
  }

  register(...tools: Array<Tool<any>>): this {
    for (const t of tools) this.tools.set(t.name, t);
    this.specs = null;
    this.changes++;
    return this;
  }

  /** Bumped by every `register`: views made before a change are out of date. */
  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.tools.size;
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** Every tool, for policy decisions. */
  list(): Array<Tool<any>> {
    return [...this.tools.values()];
  }

  /** What the model is told about the tools. */
  toSpecs(): ToolSpec[] {
    this.specs ??= [...this.tools.values()].map((t) => this.spec(t));
    return this.specs;
  }

  private spec(t: Tool<any>): ToolSpec {
    let s = this.specOf.get(t);
    if (!s) {
      if (t.parameters) s = { name: t.name, description: t.description, parameters: t.parameters };
      else {
        const { $schema: _drop, ...parameters } = z.toJSONSchema(t.args) as Record<string, unknown>;
        s = { name: t.name, description: t.description, parameters };
      }
      this.specOf.set(t, s);
    }
    return s;
  }

  /**
   * The tools `keep` admits (tool policy, availability): only they are offered, and a call to any
   * other is answered as not available in this session.
   */
  view(keep: (tool: Tool<any>) => boolean): ToolSet {
    const kept = [...this.tools.values()].filter(keep);
    if (kept.length === this.tools.size) return this;
    const names = new Set(kept.map((t) => t.name));
    let specs: ToolSpec[] | undefined;
    return {
      size: kept.length,
      toSpecs: () => (specs ??= kept.map((t) => this.spec(t))),
      call: async (name, rawArgs, ctx) => {
        if (names.has(name)) return this.call(name, rawArgs, ctx);
        const available = [...names].join(", ") || "none";
        return this.tools.has(name)
          ? { text: `Tool "${name}" is not available in this session. Available tools: ${available}.`, isError: true }
          : { text: `Unknown tool "${name}". Available tools: ${available}.`, isError: true };
      },
    };
  }

  /**
   * Runs a call from the model; every failure comes back as an error result, not a throw. When the
   * run is aborted (`ctx.signal`) or the call times out, the tool's own signal is aborted and the
   * call is answered at once, whether or not the tool stops.
   */
  async call(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolResult> {
    const tool = this.tools.get(name);
    if (!tool) return { text: `Unknown tool "${name}". Available tools: ${this.names().join(", ") || "none"}.`, isError: true };
    const raw = (rawArgs as Record<string, unknown> | null)?.[RAW_TOOL_ARGUMENTS_KEY];
    if (typeof raw === "string") {
      return {
        text: `The arguments for ${name} were not valid JSON (${raw.slice(0, 200)}). Call it again with a JSON object.`,
        isError: true,
      };
    }
    const parsed = tool.args.safeParse(rawArgs);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");
      return { text: `Invalid arguments for ${name}: ${why}. Call it again with arguments matching its schema.`, isError: true };
    }
    const r = await this.runBounded(tool, parsed.data, ctx);
    return capResult(r, this.maxResultChars);
  }

  private async runBounded(tool: Tool<any>, args: unknown, ctx: ToolContext): Promise<ToolResult> {
    const name = tool.name;
    const timeoutMs = tool.timeoutMs ?? this.timeoutMs;
    const startedAt = ctx.now();
    const own = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<ToolResult>((resolve) => {
      const stop = (result: ToolResult, reason: unknown) => {
        resolve(result);
        own.abort(reason);
      };
      onAbort = () =>
        stop(
          {
            text: `${name} was stopped after ${formatDuration(ctx.now() - startedAt)} because the run was aborted; it did not finish.`,
            isError: true,
          },
          ctx.signal.reason,
        );
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener("abort", onAbort, { once: true });
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          const after = formatDuration(timeoutMs);
          stop(
            {
              text: `${name} timed out after ${after} and was stopped. Try a smaller or faster request, or another way to get the answer.`,
              isError: true,
            },
            new Error(`${name} timed out after ${after}`),
          );
        }, timeoutMs);
        timer.unref();
      }
    });
    const work = (async (): Promise<ToolResult> => {
      try {
        return await tool.run(args, { ...ctx, signal: own.signal });
      } catch (err) {
        return { text: `${name} failed: ${err instanceof Error ? err.message : String(err)}`, isError: true };
      }
    })();
    try {
      return await Promise.race([work, stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort) ctx.signal.removeEventListener("abort", onAbort);
    }
  }
}

/** `850 ms`, `2.5 s`, `120 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** Cuts a result's text to `max` characters (never inside a surrogate pair) and says how much was dropped. */
export function capResult(r: ToolResult, max: number): ToolResult {
  const text = typeof r.text === "string" ? r.text : String(r.text);
  if (text.length <= max) return text === r.text ? r : { ...r, text };
  let cut = max;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  const dropped = text.length - cut;
  const note =
    `[Result truncated: the first ${cut} of ${text.length} characters are shown; ${dropped} were dropped. ` +
    `Ask for less at a time (a narrower query, a range or a limit) to see the rest.]`;
  return { ...r, text: `${text.slice(0, cut)}\n\n${note}` };
}

/** The gateway's clock, in any IANA time zone. */
export const currentTimeTool = defineTool({
  name: "current_time",
  description: "Get the current date and time, optionally in an IANA time zone such as Europe/Paris.",
  args: () => z.strictObject({ timezone: z.string().min(1).optional().describe("IANA time zone name") }),
  run(args, ctx) {
    const now = new Date(ctx.now());
    if (!args.timezone) return { text: now.toISOString() };
    try {
      const text = new Intl.DateTimeFormat("en-CA", { timeZone: args.timezone, dateStyle: "full", timeStyle: "long" }).format(now);
      return { text: `${text} (${args.timezone})` };
    } catch {
      return { text: `Unknown time zone "${args.timezone}".`, isError: true };
    }
  },
});

/** A registry of the built-in tools (what the gateway registers through its core tools plugin). */
export function defaultTools(): ToolRegistry {
  return new ToolRegistry().register(...BUILTIN_TOOLS);
}

export const BUILTIN_TOOLS: ReadonlyArray<Tool<any>> = [currentTimeTool, readTool, writeTool, editTool, applyPatchTool];
