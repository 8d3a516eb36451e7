/**
 * `agent.identity.get`: the name and avatar clients show for an agent. Each comes from the first
 * place that sets it: `ui.assistant`, then the agent's `agents.list[].identity` (avatar, then emoji),
 * then the `Name:` / `Avatar:` / `Emoji:` lines of its workspace's IDENTITY.md; else "Assistant" / "A".
 * An avatar that is a file in the workspace is answered as the Control UI's `/avatar/<agentId>` URL.
 */
import fs from "node:fs";
import path from "node:path";
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import { workspaceDirFor } from "../../agents/workspace.js";
import { normalizeAgentId, parseSessionKey } from "../../sessions/keys.js";
import { defineMethod, type GatewayContext } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";
import { agentCall } from "./chat.js";

export const DEFAULT_ASSISTANT_NAME = "Assistant";
export const DEFAULT_ASSISTANT_AVATAR = "A";
const MAX_NAME = 50;
const MAX_AVATAR = 200;

export interface FileIdentity {
  name?: string;
  emoji?: string;
  creature?: string;
  vibe?: string;
  theme?: string;
  avatar?: string;
}

/**
 * The hint lines OpenClaw's IDENTITY.md template leaves in a fresh workspace, matched (lower-cased)
 * so that an unfilled file from an existing OpenClaw workspace is not read as the agent's name.
 */
const PLACEHOLDERS = new Set([
  "pick something you like",
  "ai? robot? familiar? ghost in the machine? something weirder?",
  "how do you come across? sharp? warm? chaotic? calm?",
  "your signature - pick one that feels right",
  "workspace-relative path, http(s) url, or data uri",
]);

function isPlaceholder(value: string): boolean {
  let v = value
    .trim()
    .replace(/^[*_]+|[*_]+$/g, "")
    .trim();
  if (v.startsWith("(") && v.endsWith(")")) v = v.slice(1, -1).trim();
  v = v
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/\s+/g, " ")
    .toLowerCase();
  return PLACEHOLDERS.has(v);
}

/** The `Label: value` lines of IDENTITY.md (bullets and bold markers allowed). */
export function parseIdentityMarkdown(content: string): FileIdentity {
  const out: FileIdentity = {};
  for (const line of content.split(/\r?\n/)) {
    const cleaned = line.trim().replace(/^\s*-\s*/, "");
    const colon = cleaned.indexOf(":");
    if (colon === -1) continue;
    const label = cleaned.slice(0, colon).replace(/[*_]/g, "").trim().toLowerCase();
    const value = cleaned
      .slice(colon + 1)
      .replace(/^[*_]+|[*_]+$/g, "")
      .trim();
    if (!value || isPlaceholder(value)) continue;
    if (label === "name" || label === "emoji" || label === "creature" || label === "vibe" || label === "theme" || label === "avatar")
      out[label] = value;
  }
  return out;
}

/** Bytes of IDENTITY.md read: its fields are a few short lines at the top; a huge file is not read whole. */
export const MAX_IDENTITY_BYTES = 64 * 1024;

function readIdentityFile(workspaceDir: string): FileIdentity | null {
  let content: string;
  try {
    const fd = fs.openSync(path.join(workspaceDir, "IDENTITY.md"), "r");
    try {
      const buf = Buffer.alloc(MAX_IDENTITY_BYTES);
      content = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  const parsed = parseIdentityMarkdown(content);
  return Object.values(parsed).some(Boolean) ? parsed : null;
}

function clip(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const t = value.trim();
  return t ? t.slice(0, max) : undefined;
}

const isUrl = (v: string) => /^https?:\/\//i.test(v) || /^data:image\//i.test(v);
const isImagePath = (v: string) => /[\\/]/.test(v) || /\.(png|jpe?g|gif|webp|svg|ico)$/i.test(v);

/** URLs, image paths and short tokens (an emoji, initials) are avatars; a sentence is not. */
function asAvatar(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (isUrl(value) || isImagePath(value)) return value;
  return !/\s/.test(value) && value.length <= 4 ? value : undefined;
}

export function resolveAssistantIdentity(cfg: OpenClawConfig, agentId: string, workspaceDir: string) {
  const ui = cfg.ui?.assistant;
  const entry = cfg.agents?.list?.find((a) => normalizeAgentId(a.id) === agentId)?.identity;
  const file = readIdentityFile(workspaceDir);
  const name = clip(ui?.name, MAX_NAME) ?? clip(entry?.name, MAX_NAME) ?? clip(file?.name, MAX_NAME) ?? DEFAULT_ASSISTANT_NAME;
  const avatar =
    [ui?.avatar, entry?.avatar, entry?.emoji, file?.avatar, file?.emoji].map((v) => asAvatar(clip(v, MAX_AVATAR))).find(Boolean) ??
    DEFAULT_ASSISTANT_AVATAR;
  return { agentId, name, avatar };
}

/** A workspace image becomes the Control UI's avatar route; URLs and emoji pass through. */
function avatarUrl(avatar: string, agentId: string, basePath: string | undefined): string {
  if (isUrl(avatar)) return avatar;
  let base = basePath?.trim() ?? "";
  if (base && !base.startsWith("/")) base = `/${base}`;
  base = base.replace(/\/+$/, "");
  if (base && avatar.startsWith("/avatar/")) return `${base}${avatar}`;
  if (avatar.startsWith(`${base}/avatar/`)) return avatar;
  return isImagePath(avatar) ? `${base}/avatar/${agentId}` : avatar;
}

const params = () =>
  z
    .strictObject({
      agentId: z.string().min(1).optional(),
      sessionKey: z.string().optional(),
    })
    .optional();

function pickAgent(ctx: GatewayContext, p: z.infer<ReturnType<typeof params>>): string {
  const requested = p?.agentId?.trim() ? normalizeAgentId(p.agentId) : undefined;
  const sessionKey = p?.sessionKey?.trim();
  let agentId = requested;
  if (sessionKey) {
    const fromKey = parseSessionKey(sessionKey, ctx.agents.defaultAgentId()).agentId;
    if (requested && requested !== fromKey) {
      throw new MethodError(
        ErrorCodes.INVALID_REQUEST,
        `invalid agent.identity.get params: agent "${p!.agentId!.trim()}" does not match session key agent "${fromKey}"`,
      );
    }
    agentId = fromKey;
  }
  const id = agentId ?? ctx.agents.defaultAgentId();
  // Same check (and message) as every other method that names an agent.
  return agentCall(() => ctx.agents.resolveKey(undefined, id).agentId);
}

export const identityMethods = {
  "agent.identity.get": defineMethod({
    scope: "operator.read",
    params,
    handler: (p, ctx) => {
      const cfg = ctx.config();
      const agentId = pickAgent(ctx, p);
      const identity = resolveAssistantIdentity(cfg, agentId, workspaceDirFor(cfg, agentId, ctx.stateDir, ctx.env));
      return { ...identity, avatar: avatarUrl(identity.avatar, agentId, cfg.gateway?.controlUi?.basePath) };
    },
  }),
};
