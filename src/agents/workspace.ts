/**
 * The agent's workspace: a folder of Markdown files that make up its system prompt (AGENTS.md,
 * SOUL.md, USER.md, IDENTITY.md, TOOLS.md, MEMORY.md, HEARTBEAT.md). Missing files get short defaults on first run;
 * each file is capped (`agents.defaults.bootstrapMaxChars`, default 20,000 characters) so one runaway
 * file cannot eat the context window.
 *
 * Deliberate difference from OpenClaw: the default workspace lives under the state directory
 * (`$OPENCLAW_STATE_DIR/workspace`), so a Fly.io volume at /data keeps it across deploys. With the
 * default state dir this is the same `~/.openclaw/workspace` OpenClaw uses.
 */
import fs from "node:fs";
import path from "node:path";
import type { OpenClawConfig } from "../config/schema.js";
import { expandHome, type Env } from "../infra/paths.js";
import { defaultAgentId } from "./roster.js";

export const WORKSPACE_FILES = ["AGENTS.md", "SOUL.md", "USER.md", "IDENTITY.md", "TOOLS.md", "MEMORY.md", "HEARTBEAT.md"] as const;
export const DEFAULT_BOOTSTRAP_MAX_CHARS = 20_000;

const DEFAULTS: Record<(typeof WORKSPACE_FILES)[number], string> = {
  "AGENTS.md": `# How you work

- You are a personal assistant reached through chat apps and a web dashboard.
- Be direct and useful. Prefer short answers in chat; use lists and code blocks when they help.
- When you are unsure, say so and ask one clear question.
- Use your tools when they give a better answer than guessing.
`,
  "SOUL.md": `# Personality

Warm, calm and honest. You do not flatter and you do not pad answers.
`,
  "USER.md": `# About the owner

(Nothing yet. Add what the assistant should know about you: name, time zone, preferences.)
`,
  "IDENTITY.md": `# Identity

Name: OpenClaw
`,
  "TOOLS.md": `# Tools

Notes about the tools available to you and how the owner likes them used.
`,
  "MEMORY.md": `# Memory

Durable notes worth remembering across conversations.
`,
  // Headings only: heartbeats pass without calling the model until a task is written here.
  "HEARTBEAT.md": `# Heartbeat

# While this file holds only headings, heartbeats are skipped without asking the model.
# Write a task on its own line below to have it checked on every heartbeat.
`,
};

/** The default agent's workspace (where `<workspace>/.openclaw/extensions` plugins are found). */
export function defaultWorkspaceDir(cfg: OpenClawConfig, stateDir: string, env: Env): string {
  return workspaceDirFor(cfg, defaultAgentId(cfg), stateDir, env);
}

export function workspaceDirFor(cfg: OpenClawConfig, agentId: string, stateDir: string, env: Env): string {
  const entry = cfg.agents?.list?.find((a) => a.id === agentId);
  if (entry?.workspace) return path.resolve(expandHome(entry.workspace, env));
  const list = cfg.agents?.list ?? [];
  const defaultId = (list.find((a) => a.default) ?? list[0])?.id ?? "main";
  if (agentId === defaultId) {
    return cfg.agents?.defaults?.workspace
      ? path.resolve(expandHome(cfg.agents.defaults.workspace, env))
      : path.join(stateDir, "workspace");
  }
  return path.join(stateDir, `workspace-${agentId}`);
}

/** Creates the folder and any missing default files (unless `skipBootstrap`). */
export function ensureWorkspace(dir: string, skipBootstrap = false): void {
  fs.mkdirSync(dir, { recursive: true });
  if (skipBootstrap) return;
  for (const name of WORKSPACE_FILES) {
    const file = path.join(dir, name);
    try {
      fs.writeFileSync(file, DEFAULTS[name], { flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/**
 * The workspace files as prompts use them, kept between runs: a file is read again only when its
 * size, mtime or inode changed, and never more of it than the prompt can hold (`maxChars`), so a
 * runaway file costs neither memory nor time. Also remembers which folders were set up.
 */
export class WorkspaceFiles {
  private readonly texts = new Map<string, { stamp: string; text: string }>();
  private readonly ensured = new Set<string>();
  private lastPaths: { dir: string; paths: string[] } | undefined;

  /** The workspace files' paths in `dir`, in {@link WORKSPACE_FILES} order (the last folder's kept). */
  paths(dir: string): string[] {
    if (this.lastPaths?.dir !== dir) this.lastPaths = { dir, paths: WORKSPACE_FILES.map((name) => path.join(dir, name)) };
    return this.lastPaths.paths;
  }

  /** {@link ensureWorkspace}, once per folder and setting for the life of this cache. */
  ensure(dir: string, skipBootstrap = false): void {
    const key = `${skipBootstrap ? 1 : 0}${dir}`;
    if (this.ensured.has(key)) return;
    ensureWorkspace(dir, skipBootstrap);
    this.ensured.add(key);
  }

  /** The file's first `maxChars` characters or a little more (null when it is missing or unreadable). */
  read(file: string, maxChars: number): string | null {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) {
      this.texts.delete(file);
      return null;
    }
    const stamp = `${st.size}:${st.mtimeMs}:${st.ino}:${maxChars}`;
    const hit = this.texts.get(file);
    if (hit?.stamp === stamp) return hit.text;
    let text: string;
    try {
      const fd = fs.openSync(file, "r");
      try {
        // A UTF-8 character is at most 4 bytes: this holds maxChars characters and one more.
        const buf = Buffer.alloc(Math.min(st.size, maxChars * 4 + 4));
        text = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString("utf8");
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return null;
    }
    this.texts.set(file, { stamp, text });
    return text;
  }
}

export interface SystemPromptOptions {
  workspaceDir: string;
  maxChars?: number;
  agentId: string;
  /** The owner's time zone (see `ownerTimeZone`). */
  timezone?: string;
  extra?: string;
  /** The `<available_skills>` block, appended last when non-empty. */
  skillsPrompt?: string;
  /** Files read by earlier runs (default: read afresh). */
  files?: WorkspaceFiles;
}

/** The system prompt: a short frame, the owner's time zone, then each workspace file under its name. */
export function buildSystemPrompt(o: SystemPromptOptions): string {
  const max = o.maxChars ?? DEFAULT_BOOTSTRAP_MAX_CHARS;
  const parts = [
    `You are the personal assistant "${o.agentId}", running in an OpenClaw gateway.`,
    // No clock: the prompt, and so the start of every request, stays the same from one message to the
    // next, which a provider's prompt cache and the request encoder's reuse both need. The time of a
    // message is in its envelope (src/agents/envelope.ts).
    ...(o.timezone
      ? [
          `The owner's time zone is ${o.timezone}. A message from a chat begins with a header in brackets saying where it came from and when it was sent.`,
        ]
      : []),
    `Your workspace is ${o.workspaceDir}. The files below are your instructions and memory.`,
  ];
  const files = o.files ?? new WorkspaceFiles();
  const paths = files.paths(o.workspaceDir);
  for (let i = 0; i < WORKSPACE_FILES.length; i++) {
    const name = WORKSPACE_FILES[i]!;
    const text = files.read(paths[i]!, max)?.trim();
    if (!text) continue;
    const shown = text.length > max ? `${text.slice(0, max)}\n\n[... ${name} truncated at ${max} characters]` : text;
    parts.push(`## ${name}\n\n${shown}`);
  }
  if (o.extra?.trim()) parts.push(o.extra.trim());
  if (o.skillsPrompt?.trim()) parts.push(o.skillsPrompt.trim());
  return parts.join("\n\n");
}
