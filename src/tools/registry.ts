/**
 * Tools the agent may call. Each tool validates its arguments with a zod schema (the same schema,
 * turned into JSON Schema, is what the model sees), so a malformed call from the model becomes a
 * readable error result the model can correct, never an exception in the gateway.
 */
import * as z from "zod";
import { RAW_TOOL_ARGUMENTS_KEY, type ToolSpec } from "../providers/types.js";
import { editTool } from "./fs/edit.js";
import { readTool } from "./fs/read.js";
import { writeTool } from "./fs/write.js";

export interface ToolContext {
  sessionKey: string;
  agentId: string;
  workspaceDir: string;
  signal: AbortSignal;
  now: () => number;
}

export interface ToolResult {
  text: string;
  isError?: boolean;
  details?: unknown;
}

export interface Tool<A = unknown> {
  name: string;
  description: string;
  args: z.ZodType<A>;
  /** The JSON Schema the model sees, when it is not derived from `args` (a plugin's tool). */
  parameters?: Record<string, unknown>;
  run(args: A, ctx: ToolContext): Promise<ToolResult> | ToolResult;
}

export function defineTool<A>(tool: Tool<A>): Tool<A> {
  return tool;
}

export class ToolRegistry {
  private tools = new Map<string, Tool<any>>();
  private specs: ToolSpec[] | null = null;

  register(...tools: Array<Tool<any>>): this {
    for (const t of tools) this.tools.set(t.name, t);
    this.specs = null;
    return this;
  }

  get size(): number {
    return this.tools.size;
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** What the model is told about the tools. */
  toSpecs(): ToolSpec[] {
    this.specs ??= [...this.tools.values()].map((t) => {
      if (t.parameters) return { name: t.name, description: t.description, parameters: t.parameters };
      const { $schema: _drop, ...parameters } = z.toJSONSchema(t.args) as Record<string, unknown>;
      return { name: t.name, description: t.description, parameters };
    });
    return this.specs;
  }

  /** Runs a call from the model; every failure comes back as an error result, not a throw. */
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
    try {
      return await tool.run(parsed.data, ctx);
    } catch (err) {
      return { text: `${name} failed: ${(err as Error).message}`, isError: true };
    }
  }
}

/** The gateway's clock, in any IANA time zone. */
export const currentTimeTool = defineTool({
  name: "current_time",
  description: "Get the current date and time, optionally in an IANA time zone such as Europe/Paris.",
  args: z.strictObject({ timezone: z.string().min(1).optional().describe("IANA time zone name") }),
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

export const BUILTIN_TOOLS: ReadonlyArray<Tool<any>> = [currentTimeTool, readTool, writeTool, editTool];
