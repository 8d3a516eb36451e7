/** `channels.status` and the DM pairing queue (`pairing.list|approve|reject`). */
import * as z from "zod";
import { defineMethod, type GatewayContext } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";
import { editConfigFile } from "../../config/edit.js";
import { ConfigError } from "../../config/errors.js";
import { readConfigSnapshot } from "../../config/load.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `channels.logout`: removes an account's credentials from the config file (comments elsewhere
 * are lost, as with every structured edit), which stops the account. A token that comes from the
 * environment stays in force; `envToken` says so and `loggedOut` is then false.
 */
async function logout(ctx: GatewayContext, channel: string, accountId: string) {
  const desc = ctx.channels.catalog.get(channel);
  if (!desc)
    throw new MethodError(ErrorCodes.INVALID_REQUEST, `invalid channels.logout channel (known: ${ctx.channels.catalog.ids().join(", ")})`);
  const snap = readConfigSnapshot(ctx.configPath, { ...ctx.env });
  if (!snap.valid) throw new MethodError(ErrorCodes.INVALID_REQUEST, "config invalid; fix it before logging out");
  let cleared = false;
  const strip = (section: Obj) => {
    for (const k of desc.credentialKeys)
      if (k in section) {
        if (section[k]) cleared = true;
        delete section[k];
      }
  };
  const current = snap.parsed as Obj | undefined;
  const section = isObj(current?.channels) ? (current.channels as Obj)[channel] : undefined;
  const holds = (s: unknown) => isObj(s) && desc.credentialKeys.some((k) => k in s);
  const account = isObj(section) && isObj(section.accounts) ? (section.accounts as Obj)[accountId] : undefined;
  if (holds(accountId === "default" ? section : account) || (accountId === "default" && holds(account))) {
    try {
      editConfigFile(ctx.configPath, { ...ctx.env }, (parsed) => {
        const root = parsed as Obj;
        const sec = (root.channels as Obj)[channel] as Obj;
        if (accountId === "default") strip(sec);
        const acc = isObj(sec.accounts) ? (sec.accounts as Obj)[accountId] : undefined;
        if (isObj(acc)) strip(acc);
        return root;
      });
    } catch (e) {
      if (e instanceof ConfigError) throw new MethodError(ErrorCodes.INVALID_REQUEST, e.message);
      throw new MethodError(ErrorCodes.UNAVAILABLE, `could not write the config: ${e instanceof Error ? e.message : String(e)}`);
    }
    ctx.reloadConfig("channels.logout");
  }
  if (desc.logout) {
    // Credentials kept beside the config (a linked device): the account stops before they go.
    const adapter = ctx.channels.get(channel, accountId);
    if (adapter) await adapter.stop().catch(() => undefined);
    const config = accountConfig(ctx.config().channels as Obj | undefined, channel, accountId);
    try {
      if (await desc.logout(config, accountId, ctx.env, ctx.stateDir)) cleared = true;
    } catch (e) {
      throw new MethodError(ErrorCodes.UNAVAILABLE, `could not remove ${channel}/${accountId} credentials: ${(e as Error).message}`);
    }
  }
  const envToken = accountId === "default" && Boolean(desc.envToken && ctx.env[desc.envToken]?.trim());
  ctx.log.info(
    `${channel}/${accountId}: logged out${cleared ? " (credentials removed)" : ""}${envToken ? `; ${desc.envToken} is still set` : ""}`,
  );
  return { channel, accountId, cleared, envToken, loggedOut: !envToken };
}

/** An account's merged config (top-level keys, then `accounts.<id>`), as the adapter sees it. */
function accountConfig(channels: Obj | undefined, channel: string, accountId: string): Obj {
  const section = isObj(channels?.[channel]) ? (channels[channel] as Obj) : {};
  const { accounts, ...base } = section;
  const own = isObj(accounts) && isObj((accounts as Obj)[accountId]) ? ((accounts as Obj)[accountId] as Obj) : {};
  return { ...base, ...own };
}

const Channel = z.string().regex(/^[a-z0-9_-]+$/i, "a channel name (see `openclaw channels status`)");

export const channelMethods = {
  "channels.status": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({ probe: z.boolean().optional(), timeoutMs: z.number().int().min(0).optional() }).optional(),
    handler: (p, ctx) => ctx.channels.status(p?.probe ?? false, p?.timeoutMs || 8000),
  }),
  "channels.logout": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ channel: z.string().min(1), accountId: z.string().optional() }),
    handler: (p, ctx) => logout(ctx, p.channel.trim().toLowerCase(), p.accountId?.trim() || "default"),
  }),
  "pairing.list": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({ channel: Channel.optional() }).optional(),
    handler: (p, ctx) => {
      const names = p?.channel ? [p.channel] : ctx.channels.catalog.ids();
      return { requests: names.flatMap((channel) => ctx.pairing.list(channel).map((r) => ({ channel, ...r }))) };
    },
  }),
  "pairing.approve": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ channel: Channel, code: z.string().min(1) }),
    handler: (p, ctx) => {
      const req = ctx.pairing.approve(p.channel, p.code);
      if (!req)
        throw new MethodError(
          ErrorCodes.NOT_FOUND,
          `no pending ${p.channel} pairing request with code ${p.code.toUpperCase()} (codes expire after an hour)`,
        );
      ctx.log.info(`${p.channel}: approved ${req.meta?.username ?? req.id}`);
      return { ok: true, channel: p.channel, id: req.id, ...(req.meta ? { meta: req.meta } : {}) };
    },
  }),
  "pairing.reject": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ channel: Channel, code: z.string().min(1) }),
    handler: (p, ctx) => {
      const req = ctx.pairing.reject(p.channel, p.code);
      if (!req) throw new MethodError(ErrorCodes.NOT_FOUND, `no pending ${p.channel} pairing request with code ${p.code.toUpperCase()}`);
      return { ok: true, channel: p.channel, id: req.id };
    },
  }),
};
