/**
 * The `message` tool: the agent sends to any chat target the gateway has (`send`, with `replyTo` and
 * `threadId`), answers in a thread (`thread-reply`), and reacts (`react`), as OpenClaw 2026.1.29
 * names them. Targets are written as each platform writes them (the `send` method's forms).
 *
 * Bound to a chat (a run that answers a message), sending to another channel needs
 * `tools.message.crossContext.allowAcrossProviders` (or `allowCrossContextSend`), and another chat on
 * the same channel is refused when `crossContext.allowWithinProvider` is false — the original's rules.
 */
import * as z from "zod";
import { DeliveryError } from "../channels/deliver.js";
import { defineTool, type ToolContext, type ToolResult } from "./registry.js";

const SUPPORTED = ["send", "reply", "thread-reply", "react"] as const;

interface MessageConfig {
  allowCrossContextSend?: boolean;
  crossContext?: { allowWithinProvider?: boolean; allowAcrossProviders?: boolean };
}

function crossContextRefusal(ctx: ToolContext, action: string, channel: string, target: string): string | null {
  const origin = ctx.origin;
  if (!origin) return null;
  const cfg = (ctx.config?.tools as { message?: MessageConfig } | undefined)?.message;
  if (cfg?.allowCrossContextSend) return null;
  if (channel !== origin.channel) {
    if (cfg?.crossContext?.allowAcrossProviders === true) return null;
    return (
      `Cross-context messaging denied: action=${action} target provider "${channel}" while bound to "${origin.channel}". ` +
      "Set tools.message.crossContext.allowAcrossProviders to allow it."
    );
  }
  if (cfg?.crossContext?.allowWithinProvider !== false) return null;
  if (target.trim().toLowerCase() === origin.to.trim().toLowerCase()) return null;
  return `Cross-context messaging denied: action=${action} target="${target}" while bound to "${origin.to}" (channel=${channel}).`;
}

const json = (value: Record<string, unknown>): ToolResult => ({ text: JSON.stringify(value, null, 2), details: value });

export const messageTool = defineTool({
  name: "message",
  description:
    "Send messages and reactions through the gateway's chat channels. action: send (message to target; replyTo, threadId optional), " +
    "thread-reply (message into threadId), react (emoji on messageId; remove to take it back). " +
    "Without channel/target, the current chat is used.",
  args: () =>
    z.object({
      action: z.string().min(1).describe(SUPPORTED.join(", ")),
      channel: z.string().optional(),
      target: z.string().optional().describe("chat id or the platform's target form"),
      to: z.string().optional().describe("alias of target"),
      accountId: z.string().optional(),
      message: z.string().optional(),
      text: z.string().optional().describe("alias of message"),
      media: z.string().optional().describe("http(s) URL of an image to send"),
      caption: z.string().optional(),
      replyTo: z.union([z.string(), z.number()]).optional(),
      threadId: z.union([z.string(), z.number()]).optional(),
      messageId: z.union([z.string(), z.number()]).optional(),
      emoji: z.string().optional(),
      remove: z.boolean().optional(),
      silent: z.boolean().optional(),
    }),
  async run(args, ctx) {
    const channels = ctx.host?.channels;
    if (!channels) return { text: "Messaging is not available in this context.", isError: true };
    const action = args.action.trim().toLowerCase();
    if (!(SUPPORTED as readonly string[]).includes(action))
      return { text: `The message action "${args.action}" is not supported here. Supported: ${SUPPORTED.join(", ")}.`, isError: true };
    const origin = ctx.origin;
    const channel = args.channel?.trim().toLowerCase() || origin?.channel;
    const explicitTarget = args.target ?? args.to;
    const target = explicitTarget?.trim() || (channel === origin?.channel ? origin?.to : undefined);
    if (!channel) return { text: "Name a channel (and a target): this run is not bound to a chat.", isError: true };
    if (!target) return { text: `Name a target on ${channel} to send to.`, isError: true };
    const refusal = crossContextRefusal(ctx, action, channel, target);
    if (refusal) return { text: refusal, isError: true };
    const accountId = args.accountId ?? (channel === origin?.channel ? origin?.accountId : undefined);
    const threadId = args.threadId !== undefined ? String(args.threadId) : undefined;

    try {
      if (action === "react") {
        if (args.messageId === undefined || !args.emoji) return { text: "react needs messageId and emoji.", isError: true };
        await channels.react(
          { channel, to: target, ...(accountId ? { accountId } : {}), ...(threadId ? { threadId } : {}) },
          String(args.messageId),
          args.emoji,
          args.remove,
        );
        return json({
          ok: true,
          action,
          channel,
          target,
          messageId: String(args.messageId),
          emoji: args.emoji,
          removed: Boolean(args.remove),
        });
      }
      if (action === "thread-reply" && !threadId) return { text: "thread-reply needs threadId.", isError: true };
      const text = args.message ?? args.text ?? args.caption ?? "";
      if (!text.trim() && !args.media) return { text: `${action} needs a message.`, isError: true };
      const replyTo = args.replyTo !== undefined ? String(args.replyTo) : undefined;
      const r = await channels.deliver({
        channel,
        to: target,
        text,
        ...(accountId ? { accountId } : {}),
        ...(args.media ? { mediaUrls: [args.media] } : {}),
        ...(threadId ? { threadId } : {}),
        ...(replyTo ? { replyToMessageId: replyTo } : {}),
      });
      if (r.cancelled) return json({ ok: false, action, channel, cancelled: true, note: "a plugin cancelled this message" });
      return json({ ok: true, action, channel: r.channel, accountId: r.accountId, messageIds: r.messageIds, ...r.delivered });
    } catch (e) {
      const why = e instanceof DeliveryError || e instanceof Error ? e.message : String(e);
      return { text: `message ${action} failed: ${why}`, isError: true };
    }
  },
});
