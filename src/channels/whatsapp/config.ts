/**
 * What the WhatsApp adapter reads from its account config, and where an account's linked-device
 * credentials live. No Baileys import: the plugin descriptor (doctor, logout, status) uses this too.
 */
import fs from "node:fs";
import path from "node:path";
import type { ChunkMode } from "../chunking.js";
import { expandHome, type Env } from "../../infra/paths.js";
import { readStateFileSync } from "../../infra/read-bounded.js";

/** One account's config: top-level `channels.whatsapp` keys overlaid with `accounts.<id>`. */
export interface WhatsAppConfig {
  name?: string;
  enabled?: boolean;
  /** Baileys' multi-file auth directory for this account (default: the state dir's credentials). */
  authDir?: string;
  sendReadReceipts?: boolean;
  messagePrefix?: string;
  selfChatMode?: boolean;
  textChunkLimit?: number;
  chunkMode?: ChunkMode;
  mediaMaxMb?: number;
  allowFrom?: string[];
}

export const DEFAULT_TEXT_CHUNK_LIMIT = 4000;
export const DEFAULT_MEDIA_MAX_MB = 50;

/** `web.reconnect` in OpenClaw's words, with its defaults. */
export interface ReconnectPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  jitter: number;
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialMs: 2_000, maxMs: 30_000, factor: 1.8, jitter: 0.25, maxAttempts: 12 };

/** The delay before reconnect attempt `attempt` (1-based): exponential, capped, with ± jitter. */
export function backoffDelay(policy: ReconnectPolicy, attempt: number, random = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** `$OPENCLAW_STATE_DIR/credentials/whatsapp/<accountId>`, or the account's `authDir`. */
export function resolveAuthDir(config: WhatsAppConfig, accountId: string, stateDir: string, env: Env): string {
  const own = config.authDir?.trim();
  if (own) return path.resolve(expandHome(own, env));
  return path.join(stateDir, "credentials", "whatsapp", accountId);
}

export const CREDS_FILE = "creds.json";
export const CREDS_BACKUP = "creds.json.bak";

/** creds.json holds a few keys: some kilobytes. */
const MAX_CREDS_BYTES = 1024 * 1024;

function readJson(file: string): Record<string, any> | null {
  try {
    const text = readStateFileSync(file, MAX_CREDS_BYTES);
    if (!text.trim()) return null;
    const value = JSON.parse(text);
    return value && typeof value === "object" ? value : null;
  } catch {
    return null;
  }
}

/**
 * A missing, empty or unparsable creds.json (a crash mid-write on an older install, a full disk) is
 * replaced by its backup when that parses. Returns what happened, for the log.
 */
export function restoreCredsFromBackup(authDir: string): "ok" | "restored" | "missing" {
  const file = path.join(authDir, CREDS_FILE);
  if (readJson(file)) return "ok";
  const backup = path.join(authDir, CREDS_BACKUP);
  if (!readJson(backup)) return "missing";
  fs.copyFileSync(backup, `${file}.restore`);
  fs.renameSync(`${file}.restore`, file);
  return "restored";
}

/**
 * Writes creds.json atomically (temp file, fsync, rename), copying the current file to creds.json.bak
 * first when it parses, so a torn or corrupt write can always fall back one save.
 */
export function writeCredsAtomic(authDir: string, json: string): void {
  fs.mkdirSync(authDir, { recursive: true, mode: 0o700 });
  const file = path.join(authDir, CREDS_FILE);
  if (readJson(file)) fs.copyFileSync(file, path.join(authDir, CREDS_BACKUP));
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, json);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** The linked phone as `{ jid, e164 }` from creds.json (or its backup), or null when not linked. */
export function readLinkedIdentity(authDir: string): { jid: string; e164: string | null; name?: string } | null {
  const creds = readJson(path.join(authDir, CREDS_FILE)) ?? readJson(path.join(authDir, CREDS_BACKUP));
  const id: unknown = creds?.me?.id;
  if (typeof id !== "string" || !id) return null;
  return { jid: id, e164: jidToE164(id), ...(typeof creds?.me?.name === "string" ? { name: creds.me.name } : {}) };
}

/** `15551234567:12@s.whatsapp.net` → `+15551234567`; group and lid jids have no number (null). */
export function jidToE164(jid: string): string | null {
  const m = /^(\d+)(?::\d+)?@(s\.whatsapp\.net|c\.us)$/.exec(jid.trim());
  return m ? `+${m[1]}` : null;
}

/** `+1 (555) 123-4567`, `whatsapp:+1555…` → `+15551234567`, or null when it is not a number. */
export function normalizeE164(raw: string): string | null {
  const s = raw.trim().replace(/^whatsapp:/i, "");
  const digits = s.replace(/[\s().-]/g, "");
  if (!/^\+?\d{5,20}$/.test(digits)) return null;
  return `+${digits.replace(/^\+/, "")}`;
}

export const NOT_LINKED_ERROR = "not linked: run `openclaw channels login --channel whatsapp` (or Link in the Control UI's Channels view)";

export function notLinkedError(accountId: string): string {
  return accountId === "default"
    ? NOT_LINKED_ERROR
    : `not linked: run \`openclaw channels login --channel whatsapp --account ${accountId}\` (or Link in the Control UI's Channels view)`;
}
