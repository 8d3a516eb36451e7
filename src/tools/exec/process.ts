/**
 * `process`: follows up on commands `exec` left running in the background (list, poll, log, write
 * to stdin, keys, kill, clear, remove), as OpenClaw 2026.1.29's tool does. An agent sees only its
 * own processes.
 */
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import { defineTool, formatDuration, type ToolResult } from "../registry.js";
import type { ProcessRegistry, ProcessSession } from "./sessions.js";

const processArgs = () =>
  z.object({
    action: z.enum(["list", "poll", "log", "write", "send-keys", "submit", "paste", "kill", "clear", "remove"]).describe("Process action"),
    sessionId: z.string().optional().describe("Session id for actions other than list"),
    data: z.string().optional().describe("Data to write for write"),
    keys: z.array(z.string()).optional().describe("Key tokens to send for send-keys"),
    hex: z.array(z.string()).optional().describe("Hex bytes to send for send-keys"),
    literal: z.string().optional().describe("Literal string for send-keys"),
    text: z.string().optional().describe("Text to paste for paste"),
    bracketed: z.boolean().optional().describe("Wrap paste in bracketed mode"),
    eof: z.boolean().optional().describe("Close stdin after write"),
    offset: z.number().int().min(0).optional().describe("Log line offset"),
    limit: z.number().int().min(1).optional().describe("Log line limit"),
  });
type Args = z.infer<ReturnType<typeof processArgs>>;

const KEYS: Record<string, string> = {
  enter: "\r",
  return: "\r",
  tab: "\t",
  escape: "\x1b",
  esc: "\x1b",
  space: " ",
  backspace: "\x7f",
  up: "\x1b[A",
  down: "\x1b[B",
  right: "\x1b[C",
  left: "\x1b[D",
  home: "\x1b[H",
  end: "\x1b[F",
  delete: "\x1b[3~",
  pageup: "\x1b[5~",
  pagedown: "\x1b[6~",
};

function keyBytes(token: string): string | undefined {
  const t = token.trim();
  const named = KEYS[t.toLowerCase()];
  if (named) return named;
  const ctrl = /^(?:c-|ctrl-|\^)([a-z@\[\\\]^_])$/i.exec(t);
  if (ctrl) return String.fromCharCode(ctrl[1]!.toUpperCase().charCodeAt(0) & 0x1f);
  if (t.length === 1) return t;
  return undefined;
}

function nameOf(command: string): string {
  const c = command.trim().replace(/\s+/g, " ");
  return c.length > 80 ? `${c.slice(0, 77)}...` : c;
}

function exitText(s: ProcessSession): string {
  return `Process exited with ${s.exitSignal ? `signal ${s.exitSignal}` : `code ${s.exitCode ?? 0}`}.`;
}

/** Lines `offset..offset+limit` of the output; without an offset, the last `limit` lines. */
function sliceLines(text: string, offset?: number, limit?: number): { slice: string; totalLines: number } {
  const lines = text.replace(/\n$/, "").split("\n");
  const total = text ? lines.length : 0;
  let start: number;
  let end: number;
  if (offset === undefined) {
    end = total;
    start = limit === undefined ? 0 : Math.max(0, total - limit);
  } else {
    start = Math.min(offset, total);
    end = limit === undefined ? total : Math.min(total, start + limit);
  }
  return { slice: text ? lines.slice(start, end).join("\n") : "", totalLines: total };
}

function failed(text: string): ToolResult {
  return { text, isError: true, details: { status: "failed" } };
}

export function createProcessTool(registry: ProcessRegistry, cleanupMs: (config: OpenClawConfig | undefined, agentId: string) => number) {
  return defineTool<Args>({
    name: "process",
    description: "Manage running exec sessions: list, poll, log, write, send-keys, submit, paste, kill.",
    args: processArgs,
    run(args, ctx): ToolResult {
      registry.sweep(cleanupMs(ctx.config, ctx.agentId));
      const scope = ctx.agentId;
      if (args.action === "list") {
        const sessions = registry
          .list(scope)
          .filter((s) => s.backgrounded)
          .sort((a, b) => b.startedAt - a.startedAt)
          .map((s) => ({
            sessionId: s.id,
            status: s.status,
            pid: s.pid,
            startedAt: s.startedAt,
            ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
            runtimeMs: (s.endedAt ?? ctx.now()) - s.startedAt,
            cwd: s.cwd,
            command: s.command,
            name: nameOf(s.command),
            tail: s.aggregated.slice(-2000),
            truncated: s.droppedChars > 0,
            ...(s.done ? { exitCode: s.exitCode ?? undefined, exitSignal: s.exitSignal ?? undefined } : {}),
          }));
        const lines = sessions.map((s) => `${s.sessionId} ${s.status.padEnd(9)} ${formatDuration(s.runtimeMs)} :: ${s.name}`);
        return { text: lines.join("\n") || "No running or recent sessions.", details: { status: "completed", sessions } };
      }
      const id = args.sessionId?.trim();
      if (!id) return failed("sessionId is required for this action.");
      const s = registry.get(id, scope);
      if (!s) return failed(`No session found for ${id}`);
      const running = !s.done;
      const stdinFor = (what: string): ToolResult | NodeJS.WritableStream => {
        if (!running) return failed(`No active session found for ${id}`);
        if (!s.backgrounded) return failed(`Session ${id} is not backgrounded.`);
        const stdin = s.child.stdin;
        if (!stdin || stdin.destroyed || !stdin.writable) return failed(`Session ${id} stdin is not writable.`);
        void what;
        return stdin;
      };
      const isResult = (x: ToolResult | NodeJS.WritableStream): x is ToolResult => typeof (x as ToolResult).text === "string";
      switch (args.action) {
        case "poll": {
          if (!s.backgrounded) return failed(`Session ${id} is not backgrounded.`);
          const output = s.unread.trim();
          s.unread = "";
          return {
            text: (output || "(no new output)") + (running ? "\n\nProcess still running." : `\n\n${exitText(s)}`),
            details: {
              status: s.status,
              sessionId: id,
              exitCode: running ? undefined : (s.exitCode ?? undefined),
              aggregated: s.aggregated,
              name: nameOf(s.command),
            },
          };
        }
        case "log": {
          if (!s.backgrounded) return failed(`Session ${id} is not backgrounded.`);
          const { slice, totalLines } = sliceLines(s.aggregated, args.offset, args.limit);
          return {
            text: slice || (running ? "(no output yet)" : "(no output recorded)"),
            details: {
              status: s.status,
              sessionId: id,
              total: totalLines,
              totalLines,
              totalChars: s.aggregated.length,
              truncated: s.droppedChars > 0,
              name: nameOf(s.command),
            },
          };
        }
        case "write": {
          const stdin = stdinFor("write");
          if (isResult(stdin)) return stdin;
          stdin.write(args.data ?? "");
          if (args.eof) stdin.end();
          return {
            text: `Wrote ${(args.data ?? "").length} bytes to session ${id}${args.eof ? " (stdin closed)" : ""}.`,
            details: { status: "running", sessionId: id },
          };
        }
        case "send-keys": {
          const stdin = stdinFor("send-keys");
          if (isResult(stdin)) return stdin;
          let data = "";
          for (const h of args.hex ?? []) {
            if (!/^(0x)?[0-9a-f]{1,2}$/i.test(h.trim())) return failed(`Invalid hex byte "${h}"; use values such as "1b" or "0x0d".`);
            data += String.fromCharCode(parseInt(h.trim().replace(/^0x/i, ""), 16));
          }
          if (args.literal) data += args.literal;
          const unknown: string[] = [];
          for (const k of args.keys ?? []) {
            const b = keyBytes(k);
            if (b === undefined) unknown.push(k);
            else data += b;
          }
          if (unknown.length) return failed(`Unknown key tokens: ${unknown.join(", ")}; use names such as Enter, Tab, Up, C-c.`);
          if (!data) return failed("No key data provided.");
          stdin.write(data);
          return { text: `Sent ${data.length} bytes to session ${id}.`, details: { status: "running", sessionId: id } };
        }
        case "submit": {
          const stdin = stdinFor("submit");
          if (isResult(stdin)) return stdin;
          stdin.write("\r");
          return { text: `Submitted session ${id} (sent CR).`, details: { status: "running", sessionId: id } };
        }
        case "paste": {
          const stdin = stdinFor("paste");
          if (isResult(stdin)) return stdin;
          if (!args.text) return failed("No paste text provided.");
          stdin.write(args.bracketed ? `\x1b[200~${args.text}\x1b[201~` : args.text);
          return { text: `Pasted ${args.text.length} chars to session ${id}.`, details: { status: "running", sessionId: id } };
        }
        case "kill": {
          if (!running) return failed(`No active session found for ${id}`);
          if (!s.backgrounded) return failed(`Session ${id} is not backgrounded.`);
          registry.kill(s);
          return { text: `Killed session ${id}.`, details: { status: "failed", sessionId: id } };
        }
        case "clear": {
          if (running) return failed(`No finished session found for ${id}`);
          registry.remove(id);
          return { text: `Cleared session ${id}.`, details: { status: "completed" } };
        }
        case "remove": {
          if (running) registry.kill(s);
          registry.remove(id);
          return { text: `Removed session ${id}.`, details: { status: running ? "failed" : "completed" } };
        }
      }
      return failed(`Unknown action ${String(args.action)}`);
    },
  });
}
