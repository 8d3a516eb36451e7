/**
 * Outbound delivery an operator asks for (the `send` method): picks the channel account, reads the
 * target as that platform writes it, fetches images from URLs, and hands the message to the adapter,
 * which converts, chunks and rate-limits it like any reply.
 *
 * Failures carry a kind the caller maps to its own error codes: `unsupported` (no such channel here),
 * `target` / `media` (fix the request), `unavailable` (the channel cannot send right now).
 *
 * With plugins' hooks (`opts.hooks`), `message_sending` may change the text or cancel the send (the
 * result then says `cancelled` and nothing was sent), and `message_sent` hears how it went.
 */
import type { ChannelManager } from "./manager.js";
import type { HookRunner } from "../plugins/hooks.js";
import { TargetError, type OutboundContent, type OutboundTarget } from "./types.js";

/** Largest image fetched for a send. */
export const MAX_MEDIA_BYTES = 10 * 1024 * 1024;
const MEDIA_TIMEOUT_MS = 30_000;

export type DeliveryErrorKind = "unsupported" | "target" | "media" | "unavailable";

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

export interface DeliverRequest {
  /** Channel name; when omitted, the one channel that is set up (an error when there are several). */
  channel?: string;
  accountId?: string;
  to: string;
  text: string;
  /** http(s) URLs of images to send after the text. */
  mediaUrls?: string[];
  /** A thread or topic in the target chat (in place of one the target names). */
  threadId?: string;
  /** The message this one answers. */
  replyToMessageId?: string;
}

export interface DeliverResult {
  channel: string;
  accountId: string;
  target: OutboundTarget;
  messageIds: string[];
  /** Platform ids of where it landed (`chatId`, `channelId`). */
  delivered: Record<string, string>;
  /** A plugin's `message_sending` hook cancelled it: nothing was sent. */
  cancelled?: boolean;
}

export interface DeliverOptions {
  fetch?: typeof fetch;
  maxMediaBytes?: number;
  /** Plugins' typed hooks (none without it). */
  hooks?: HookRunner;
}

/** The channel to use: the named one, or the only one set up. */
export function pickChannel(channels: ChannelManager, requested: string | undefined): string {
  const name = requested?.trim().toLowerCase();
  if (name) {
    if (!channels.catalog.has(name)) throw new DeliveryError("unsupported", `unsupported channel: ${requested}`);
    return name;
  }
  const setUp = channels.catalog.ids().filter((c) => channels.accounts(c).length > 0);
  if (setUp.length === 1) return setUp[0]!;
  throw new DeliveryError(
    "target",
    setUp.length
      ? `channel required: more than one channel is set up (${setUp.join(", ")})`
      : `channel required, and no channel is set up (this gateway has ${channels.catalog.ids().join(", ")})`,
  );
}

export async function deliver(channels: ChannelManager, req: DeliverRequest, opts: DeliverOptions = {}): Promise<DeliverResult> {
  const channel = pickChannel(channels, req.channel);
  const def = channels.catalog.get(channel)!;
  const accountId = req.accountId?.trim() || undefined;
  const adapter = accountId ? channels.get(channel, accountId) : channels.accounts(channel)[0];
  if (!adapter) {
    const known = channels.accounts(channel).map((a) => a.accountId);
    throw new DeliveryError(
      "unavailable",
      accountId && known.length
        ? `${def.label} account "${accountId}" is not set up (accounts: ${known.join(", ")})`
        : `${def.label} is not set up: ${def.envToken ? `set ${def.envToken} or ` : ""}add channels.${channel} to the config`,
    );
  }
  let target: OutboundTarget;
  try {
    target = adapter.parseTarget ? adapter.parseTarget(req.to) : { chatId: req.to.trim() };
  } catch (e) {
    if (e instanceof TargetError) throw new DeliveryError("target", e.message);
    throw e;
  }
  if (!target.chatId) throw new DeliveryError("target", `Delivering to ${def.label} requires target`);
  if (req.threadId) target = { ...target, threadId: req.threadId };
  if (req.replyToMessageId) target = { ...target, replyToMessageId: req.replyToMessageId };
  const images = await loadImages(req.mediaUrls ?? [], opts);
  const st = adapter.status();
  const name = `${def.label} account ${adapter.accountId}`;
  if (!st.running) throw new DeliveryError("unavailable", `${name} is not running${st.lastError ? `: ${st.lastError}` : ""}`);
  // Replies wait for a lost connection to come back; an operator's send says so at once instead.
  if (!st.connected)
    throw new DeliveryError(
      "unavailable",
      `${name} is not connected${st.lastError ? ` (${st.lastError})` : ""}; nothing was sent, try again`,
    );
  const hooks = opts.hooks;
  const hookCtx = { channelId: channel, accountId: adapter.accountId, conversationId: target.chatId };
  let text = req.text;
  if (hooks?.hasHooks("message_sending")) {
    const out = await hooks.runMessageSending(
      { to: target.chatId, content: text, metadata: { channel, accountId: adapter.accountId } },
      hookCtx,
    );
    if (typeof out?.content === "string") text = out.content;
    if (out?.cancel || (!text.trim() && !images.length))
      return { channel, accountId: adapter.accountId, target, messageIds: [], delivered: {}, cancelled: true };
  }
  const sentHook = (success: boolean, error?: string) => {
    if (!hooks?.hasHooks("message_sent")) return;
    hooks.runMessageSent({ to: target.chatId, content: text, success, ...(error ? { error } : {}) }, hookCtx).catch(() => undefined);
  };
  const content: OutboundContent = { text, ...(images.length ? { images } : {}) };
  let sent;
  try {
    sent = await adapter.send(target, content);
  } catch (e) {
    sentHook(false, (e as Error)?.message ?? String(e));
    throw new DeliveryError("unavailable", `${channel} send failed: ${(e as Error)?.message ?? String(e)}`);
  }
  sentHook(true);
  return {
    channel,
    accountId: adapter.accountId,
    target,
    messageIds: sent.messageIds,
    delivered: sent.delivered ?? { chatId: target.chatId },
  };
}

type Image = NonNullable<OutboundContent["images"]>[number];

async function loadImages(urls: string[], opts: DeliverOptions): Promise<Image[]> {
  const seen = new Set<string>();
  const out: Image[] = [];
  for (const raw of urls) {
    const url = raw.trim();
    if (!url || seen.has(url)) continue;
    seen.add(url);
    out.push(await loadImage(url, opts));
  }
  return out;
}

async function loadImage(url: string, opts: DeliverOptions): Promise<Image> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL("file:///");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new DeliveryError("media", `media ${url}: only http(s) URLs can be sent from the gateway`);
  const max = opts.maxMediaBytes ?? MAX_MEDIA_BYTES;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(parsed, { signal: AbortSignal.timeout(MEDIA_TIMEOUT_MS), redirect: "follow" });
  } catch (e) {
    throw new DeliveryError("unavailable", `media ${url}: cannot fetch (${(e as Error).message})`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new DeliveryError("unavailable", `media ${url}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new DeliveryError("media", `media ${url}: ${declared} bytes is more than the ${max} byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const step = reader ? await reader.read() : { done: true as const, value: undefined };
    if (step.done) break;
    size += step.value.length;
    if (size > max) {
      await reader!.cancel().catch(() => undefined);
      throw new DeliveryError("media", `media ${url}: more than the ${max} byte limit`);
    }
    chunks.push(Buffer.from(step.value));
  }
  const data = Buffer.concat(chunks);
  const header = res.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  const mimeType = header?.startsWith("image/") ? header : sniffImage(data);
  if (!mimeType) throw new DeliveryError("media", `media ${url}: only images can be sent (got ${header || "unknown content"})`);
  const last = parsed.pathname.split("/").pop() ?? "";
  let fileName: string | undefined;
  try {
    fileName = decodeURIComponent(last) || undefined;
  } catch {
    fileName = last || undefined;
  }
  return { mimeType, data, ...(fileName ? { fileName } : {}) };
}

function sniffImage(b: Buffer): string | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString("latin1"))) return "image/gif";
  if (b.length >= 12 && b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP")
    return "image/webp";
  return undefined;
}
