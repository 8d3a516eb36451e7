/**
 * The `gateway` tool: the owner's agent reads and changes the config (`config.get`, `config.schema`,
 * `config.patch`, `config.apply`, with the base hash those methods require) and restarts the gateway
 * (only with `commands.restart: true`), as OpenClaw 2026.1.29 names the actions.
 *
 * Only for the owner: a run started by the owner or an allowlisted sender in a direct chat, or by an
 * operator. A group message can never reach it, whoever sent it.
 */
import * as z from "zod";
import { defineTool, type ToolResult } from "./registry.js";

const ACTIONS = ["restart", "config.get", "config.schema", "config.apply", "config.patch", "update.run"] as const;

const json = (value: unknown): ToolResult => ({ text: JSON.stringify(value, null, 2), details: value });

export const gatewayTool = defineTool({
  name: "gateway",
  description:
    "Restart the gateway, read or change its config. Use config.patch (a JSON merge patch in raw, with baseHash from config.get) " +
    "for partial updates; config.apply replaces the whole config. restart needs commands.restart=true.",
  args: () =>
    z.object({
      action: z.enum(ACTIONS),
      delayMs: z.number().optional(),
      reason: z.string().optional(),
      gatewayUrl: z.string().optional(),
      gatewayToken: z.string().optional(),
      timeoutMs: z.number().optional(),
      raw: z.string().optional(),
      baseHash: z.string().optional(),
      sessionKey: z.string().optional(),
      note: z.string().optional(),
      restartDelayMs: z.number().optional(),
    }),
  async run(args, ctx) {
    const gw = ctx.host?.gateway;
    if (!gw) return { text: "The gateway tool is not available in this context.", isError: true };
    if (ctx.senderAuthorized === false || (ctx.origin && ctx.origin.chatType !== "dm"))
      return { text: "The gateway tool is only for the owner, in a direct chat or from the Control UI.", isError: true };
    if (args.gatewayUrl) return { text: "gatewayUrl is not supported: this tool acts on the gateway it runs in.", isError: true };
    const call = async (method: string, params: unknown) => {
      try {
        return json(await gw.call(method, params));
      } catch (e) {
        return { text: `${method} failed: ${(e as Error).message}`, isError: true };
      }
    };
    switch (args.action) {
      case "config.get":
        return call("config.get", {});
      case "config.schema":
        return call("config.schema", {});
      case "config.patch":
      case "config.apply": {
        if (!args.raw)
          return {
            text: `${args.action} needs raw (the config as JSON${args.action === "config.patch" ? " merge patch" : ""}).`,
            isError: true,
          };
        let baseHash = args.baseHash;
        if (!baseHash) {
          const snap = (await gw.call("config.get", {})) as { hash?: string };
          baseHash = snap.hash;
        }
        return call(args.action, {
          raw: args.raw,
          ...(baseHash ? { baseHash } : {}),
          ...(args.note ? { note: args.note } : {}),
          ...(args.restartDelayMs !== undefined ? { restartDelayMs: args.restartDelayMs } : {}),
        });
      }
      case "restart": {
        if (ctx.config?.commands?.restart !== true)
          return { text: "Gateway restart is disabled. Set commands.restart=true to enable.", isError: true };
        const delayMs = Math.max(0, Math.min(Math.floor(args.delayMs ?? 2000), 60_000));
        gw.restart(args.reason?.trim().slice(0, 200) || "requested by the agent", delayMs);
        return json({ ok: true, action: "restart", delayMs });
      }
      case "update.run":
        return { text: "update.run is not supported: update the gateway by deploying a new image or package.", isError: true };
    }
  },
});
