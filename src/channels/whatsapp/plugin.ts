/**
 * WhatsApp (a linked device, through Baileys) as a channel plugin: what the gateway knows about it
 * before and without loading Baileys, plus the `web.login.start|wait` methods that link a phone.
 */
import fs from "node:fs";
import * as z from "zod";
import type { ChannelPlugin } from "../plugin.js";
import type { BuiltinPlugin } from "../../plugins/builtin.js";
import { defineMethod, type GatewayContext, type MethodTable } from "../../gateway/context.js";
import { ErrorCodes, MethodError } from "../../gateway/protocol/frames.js";
import { notLinkedError, readLinkedIdentity, resolveAuthDir, type ReconnectPolicy } from "./config.js";
import { whatsappRules } from "./rules.js";

export const whatsappChannel: ChannelPlugin = {
  id: "whatsapp",
  label: "WhatsApp",
  detailLabel: "WhatsApp Web",
  systemImage: "message",
  credentialKeys: [],
  rules: whatsappRules,
  setup(config, accountId, env, stateDir) {
    const authDir = resolveAuthDir(config, accountId, stateDir, env);
    const me = readLinkedIdentity(authDir);
    if (me) return { ok: true, detail: `linked as ${me.e164 ?? me.jid} (credentials in ${authDir})` };
    return {
      ok: false,
      detail: `not linked (no credentials in ${authDir})`,
      fix: notLinkedError(accountId).replace(/^not linked: /, ""),
    };
  },
  async logout(config, accountId, env, stateDir) {
    const authDir = resolveAuthDir(config, accountId, stateDir, env);
    if (!fs.existsSync(authDir)) return false;
    await fs.promises.rm(authDir, { recursive: true, force: true });
    return true;
  },
  load: async () => (await import("./index.js")).createWhatsAppAdapter,
};

const account = () => z.string().trim().min(1).max(64).optional();
const timeout = () => z.number().int().min(0).max(600_000).optional();

/** The running adapter of an account, with a message that says how to get one when there is none. */
function loginFor(ctx: GatewayContext, accountId: string | undefined) {
  const id = accountId || "default";
  const adapter = ctx.channels.get("whatsapp", id);
  if (!adapter?.login) {
    const where = id === "default" ? "channels.whatsapp" : `channels.whatsapp.accounts.${id}`;
    throw new MethodError(
      ErrorCodes.INVALID_REQUEST,
      `WhatsApp account "${id}" is not configured: add ${where} to the config (for example \`openclaw config set ${where}.dmPolicy pairing\`), then link again`,
    );
  }
  return adapter.login;
}

const failed = (what: string, e: unknown) => new MethodError(ErrorCodes.UNAVAILABLE, `${what}: ${(e as Error).message ?? String(e)}`);

/** `web.login.start` and `web.login.wait`, as OpenClaw 2026.1.29 names and shapes them. */
export const webLoginMethods: MethodTable = {
  "web.login.start": defineMethod({
    scope: "operator.admin",
    params: () =>
      z
        .strictObject({ force: z.boolean().optional(), timeoutMs: timeout(), verbose: z.boolean().optional(), accountId: account() })
        .optional(),
    handler: async (p, ctx) => {
      const login = loginFor(ctx, p?.accountId);
      try {
        const r = await login.start({ force: p?.force, timeoutMs: p?.timeoutMs });
        return { ...(r.qrDataUrl ? { qrDataUrl: r.qrDataUrl } : {}), message: r.message, ...(r.qr ? { qr: r.qr } : {}) };
      } catch (e) {
        throw failed("could not start WhatsApp login", e);
      }
    },
  }),
  "web.login.wait": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ timeoutMs: timeout(), accountId: account() }).optional(),
    handler: async (p, ctx) => {
      const id = p?.accountId || "default";
      const adapter = ctx.channels.get("whatsapp", id);
      if (!adapter?.login) return { connected: false, message: "No active WhatsApp login in progress." };
      try {
        return await adapter.login.wait({ timeoutMs: p?.timeoutMs });
      } catch (e) {
        throw failed("WhatsApp login failed", e);
      }
    },
  }),
};

const plugin: BuiltinPlugin = {
  id: "whatsapp",
  name: "WhatsApp",
  description: "WhatsApp through a linked device (WhatsApp Web, Baileys)",
  register(api) {
    // `web.reconnect` (OpenClaw's WhatsApp Web backoff) as the gateway started with it.
    const reconnect = (api.config as { web?: { reconnect?: Partial<ReconnectPolicy> } }).web?.reconnect;
    const channel: ChannelPlugin = reconnect
      ? { ...whatsappChannel, load: async () => (await import("./index.js")).whatsappAdapterFactory({ reconnect }) }
      : whatsappChannel;
    api.registerChannel({ plugin: channel });
    for (const [name, def] of Object.entries(webLoginMethods)) api.registerGatewayMethod(name, def);
  },
};
export default plugin;
