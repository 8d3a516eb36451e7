/**
 * `api.runtime` for plugins: the parts of OpenClaw 2026.1.29's plugin runtime this gateway honours.
 * `version`; `config.loadConfig|writeConfigFile` (the config in force; a whole new config, validated
 * and written like `config.apply`); `system.enqueueSystemEvent` (a line for a session's next prompt)
 * and `system.runCommandWithTimeout`; `channel.text.chunkText|chunkMarkdownText` (our chunker, which
 * never splits inside a code fence).
 *
 * Plugins register before the agent service exists, so the system-event queue is attached once it
 * does (`attach`, called by the composition root); a call before that says the gateway is starting.
 */
import { spawn } from "node:child_process";
import { editConfigFile } from "../config/edit.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import type { SystemEvents } from "../agents/system-events.js";
import { chunkText } from "../channels/chunking.js";

/** Output kept per stream of a command (the rest is dropped, and `truncated` says so). */
const MAX_COMMAND_OUTPUT = 1024 * 1024;

export interface PluginRuntimeDeps {
  version: string;
  config: () => OpenClawConfig;
  configPath: string;
  env: Env;
  /** Re-reads the config after a write, so the gateway applies it at once. */
  reload: (reason: string) => unknown;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  truncated?: boolean;
}

export interface PluginRuntime {
  /** What plugins see as `api.runtime`. */
  readonly api: Record<string, unknown>;
  attach(services: { systemEvents: SystemEvents }): void;
}

export function createPluginRuntime(deps: PluginRuntimeDeps): PluginRuntime {
  let systemEvents: SystemEvents | null = null;

  const runCommandWithTimeout = (
    argv: string[],
    options: number | { timeoutMs: number; cwd?: string; input?: string; env?: Record<string, string> },
  ): Promise<CommandResult> => {
    const o = typeof options === "number" ? { timeoutMs: options } : options;
    if (!Array.isArray(argv) || !argv.length || typeof argv[0] !== "string") {
      return Promise.reject(new Error("runCommandWithTimeout needs argv: [command, ...args]"));
    }
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: o.cwd,
        env: { ...deps.env, ...o.env } as NodeJS.ProcessEnv,
        stdio: [o.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
      });
      const out = { stdout: "", stderr: "", truncated: false };
      const keep = (key: "stdout" | "stderr") => (d: Buffer) => {
        if (out[key].length >= MAX_COMMAND_OUTPUT) return void (out.truncated = true);
        out[key] += d.toString();
      };
      child.stdout!.on("data", keep("stdout"));
      child.stderr!.on("data", keep("stderr"));
      if (o.input !== undefined) child.stdin!.end(o.input);
      const timer = setTimeout(() => child.kill("SIGKILL"), Math.max(1, o.timeoutMs ?? 0));
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({
          stdout: out.stdout,
          stderr: out.stderr,
          code,
          signal,
          killed: child.killed,
          ...(out.truncated ? { truncated: true } : {}),
        });
      });
    });
  };

  const api = {
    version: deps.version,
    config: {
      loadConfig: () => deps.config(),
      writeConfigFile: async (next: OpenClawConfig) => {
        editConfigFile(deps.configPath, deps.env, () => next);
        deps.reload("plugin wrote the config");
      },
    },
    system: {
      enqueueSystemEvent(text: string, opts: { sessionKey: string; contextKey?: string }) {
        if (!systemEvents) throw new Error("the gateway is still starting; enqueue system events once it runs (a service or hook)");
        if (typeof opts?.sessionKey !== "string" || !opts.sessionKey.trim()) throw new Error("enqueueSystemEvent needs { sessionKey }");
        return systemEvents.enqueue(opts.sessionKey.trim(), String(text), opts.contextKey);
      },
      runCommandWithTimeout,
    },
    channel: {
      text: {
        chunkText: (text: string, limit: number) => (text ? chunkText(text, { limit }) : []),
        chunkMarkdownText: (text: string, limit: number) => (text ? chunkText(text, { limit }) : []),
      },
    },
  };

  return {
    api,
    attach(services) {
      systemEvents = services.systemEvents;
    },
  };
}
