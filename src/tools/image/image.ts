/**
 * `image`: the agent asks a vision model about a picture (a workspace file, an absolute path, a
 * `data:` URL or an http(s) URL). It is offered only when `agents.defaults.imageModel` names a model;
 * the call goes along that chain (primary, then fallbacks) with the agent's credentials, through the
 * gateway's model service (`ctx.host.models`).
 *
 * URLs are fetched with web_fetch's guard (no private or internal addresses unless
 * `tools.web.fetch.allowPrivateNetwork`), on every redirect hop. Only PNG, JPEG, GIF and WebP are
 * sent, recognised by their first bytes rather than by name or Content-Type.
 */
import path from "node:path";
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import type { AssistantMessage, UserMessage } from "../../providers/types.js";
import { defineTool, type Tool, type ToolContext, type ToolResult } from "../registry.js";
import { displayPath, formatSize, resolvePath } from "../fs/files.js";
import { FileTooLargeError, readFileBounded } from "../../infra/read-bounded.js";
import { pinnedGet } from "../web/http.js";
import { FetchRefusedError, resolveAllowedHost, systemResolver, type HostResolver } from "../web/ssrf.js";

export const DEFAULT_IMAGE_PROMPT = "Describe the image.";
/** The largest image sent when neither the call nor `agents.defaults.mediaMaxMb` says otherwise. */
export const DEFAULT_IMAGE_MAX_BYTES = 6 * 1024 * 1024;
/** What the vision model may answer with at most. */
const IMAGE_REPLY_MAX_TOKENS = 512;
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The image model chain `agents.defaults.imageModel` names (a `provider/model` string or `{primary, fallbacks}`). */
export function imageModelChain(config: OpenClawConfig | undefined): string[] {
  const raw = config?.agents?.defaults?.imageModel as unknown;
  const sel = typeof raw === "string" ? { primary: raw } : ((raw ?? {}) as { primary?: unknown; fallbacks?: unknown });
  const refs = [sel.primary, ...(Array.isArray(sel.fallbacks) ? sel.fallbacks : [])];
  const chain: string[] = [];
  for (const r of refs) {
    const ref = typeof r === "string" ? r.trim() : "";
    if (ref && !chain.includes(ref)) chain.push(ref);
  }
  return chain;
}

/** The MIME type of an image from its first bytes, or undefined when it is none of PNG, JPEG, GIF, WebP. */
export function sniffImageType(b: Buffer): string | undefined {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString("latin1"))) return "image/gif";
  if (b.length >= 12 && b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP")
    return "image/webp";
  return undefined;
}

export interface ImageToolDeps {
  /** DNS resolution for image URLs (the system resolver by default). */
  resolve?: HostResolver;
  /** Private addresses to allow anyway (tests serve images on 127.0.0.1). */
  allowAddress?: (address: string) => boolean;
}

const imageArgs = () =>
  z.object({
    image: z.string().describe("The image: a file path (relative to the workspace, or absolute), an http(s) URL, or a data: URL."),
    prompt: z.string().optional().describe(`What to ask about the image (default: "${DEFAULT_IMAGE_PROMPT}").`),
    model: z.string().optional().describe("A provider/model to use instead of the configured image model."),
    maxBytesMb: z.number().positive().optional().describe("Largest image to accept, in MB."),
  });
type Args = z.infer<ReturnType<typeof imageArgs>>;

/** A failure the model should read as is. */
class ImageError extends Error {}

interface Loaded {
  data: Buffer;
  /** How the image is named back (workspace-relative path or URL). */
  shown: string;
}

function tooLarge(shown: string, size: number | undefined, max: number): ImageError {
  const what = size !== undefined ? `is ${formatSize(size)}` : "is larger than that";
  return new ImageError(
    `${shown} ${what}; the image tool accepts up to ${formatSize(max)}. Use a smaller image, or pass a larger maxBytesMb.`,
  );
}

async function loadFile(raw: string, ctx: ToolContext, max: number): Promise<Loaded> {
  let given = raw.startsWith("file://") ? decodeURIComponent(raw.slice("file://".length)) : raw;
  // A sandboxed session's files live in the sandbox's directory on the host; the model may name
  // them by their path inside the container.
  const root = ctx.sandbox?.hostDir ?? ctx.workspaceDir;
  const workdir = ctx.sandbox?.workdir.replace(/\/+$/, "");
  if (workdir && (given === workdir || given.startsWith(`${workdir}/`))) given = given.slice(workdir.length).replace(/^\/+/, "") || ".";
  const file = resolvePath(given, root);
  const shown = displayPath(file, root);
  const rel = path.relative(root, file);
  if (ctx.sandbox && (rel.startsWith("..") || path.isAbsolute(rel)))
    throw new ImageError(`${shown} is outside the workspace; this session is sandboxed, so the image tool reads workspace files only.`);
  try {
    return { data: await readFileBounded(file, max), shown };
  } catch (e) {
    if (e instanceof FileTooLargeError) throw tooLarge(shown, e.size, max);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EISDIR") throw new ImageError(`${shown} is a directory, not an image file.`);
    throw new ImageError(
      code === "ENOENT"
        ? `Could not read ${shown}: it does not exist; check the path (relative paths start at the workspace).`
        : `Could not read ${shown}: ${(e as Error).message}.`,
    );
  }
}

function loadDataUrl(raw: string, max: number): Loaded {
  const m = /^data:([^;,]+);base64,([a-z0-9+/=\s]+)$/i.exec(raw.trim());
  if (!m) throw new ImageError("The data: URL is not valid: give one like data:image/png;base64,<data>.");
  const data = Buffer.from(m[2]!.replace(/\s+/g, ""), "base64");
  if (!data.length) throw new ImageError("The data: URL holds no data.");
  if (data.length > max) throw tooLarge("The data: URL's image", data.length, max);
  return { data, shown: `data:${m[1]}` };
}

async function loadUrl(raw: string, ctx: ToolContext, max: number, deps: ImageToolDeps): Promise<Loaded> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ImageError(`Invalid image URL "${raw}": give a full http:// or https:// URL.`);
  }
  const allowPrivateNetwork = ctx.config?.tools?.web?.fetch?.allowPrivateNetwork === true;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new ImageError(`Refused to follow a redirect to ${url.protocol} (${url.href}): only http and https images are fetched.`);
    const to = await resolveAllowedHost(url.hostname, {
      allowPrivateNetwork,
      resolve: deps.resolve ?? systemResolver,
      ...(deps.allowAddress ? { allowAddress: deps.allowAddress } : {}),
    });
    const res = await pinnedGet({
      url,
      to,
      signal: ctx.signal,
      maxBytes: max,
      headers: { Accept: "image/*", "User-Agent": "Mozilla/5.0 (compatible; OpenClaw image tool)" },
      skipBody: (status) => REDIRECTS.has(status),
    });
    if (REDIRECTS.has(res.status)) {
      const location = res.headers.location;
      if (!location) throw new ImageError(`${url.href} answered ${res.status} (a redirect) without a Location header.`);
      if (hop + 1 > MAX_REDIRECTS) throw new ImageError(`Too many redirects fetching ${raw}; give the image's final URL.`);
      url = new URL(location, url);
      continue;
    }
    if (res.status < 200 || res.status >= 300)
      throw new ImageError(
        `Fetching ${url.href} failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}. Check the URL.`,
      );
    if (res.overflow) throw tooLarge(url.href, undefined, max);
    return { data: res.body, shown: url.href };
  }
}

/** The reply's text, or an error saying why there is none. */
function replyText(msg: AssistantMessage, ref: string): string {
  if (msg.stopReason === "error" || msg.stopReason === "aborted" || msg.errorMessage?.trim())
    throw new ImageError(`The image model ${ref} failed${msg.errorMessage?.trim() ? `: ${msg.errorMessage.trim()}` : "."}`);
  const text = msg.content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("")
    .trim();
  if (!text) throw new ImageError(`The image model ${ref} answered with no text.`);
  return text;
}

function maxBytesFor(args: Args, config: OpenClawConfig | undefined): number {
  if (args.maxBytesMb !== undefined) return Math.floor(args.maxBytesMb * 1024 * 1024);
  const configured = config?.agents?.defaults?.mediaMaxMb;
  return typeof configured === "number" && configured > 0 ? Math.floor(configured * 1024 * 1024) : DEFAULT_IMAGE_MAX_BYTES;
}

async function run(args: Args, ctx: ToolContext, deps: ImageToolDeps): Promise<ToolResult> {
  const models = ctx.host?.models;
  if (!models) return { text: "The image tool cannot run here: this gateway offers no model service to tools.", isError: true };
  const configured = imageModelChain(ctx.config);
  const override = args.model?.trim();
  const chain = override ? [override, ...configured.filter((r) => r !== override)] : configured;
  if (!chain.length)
    return { text: "No image model is configured: set agents.defaults.imageModel (a provider/model that accepts images).", isError: true };

  const raw = args.image.trim().replace(/^@/, "").trim();
  if (!raw) return { text: "Give the image to look at: a file path, an http(s) URL or a data: URL.", isError: true };
  const isWindowsPath = /^[a-zA-Z]:[\\/]/.test(raw);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (scheme && !isWindowsPath && !["file", "http", "https", "data"].includes(scheme))
    return {
      text: `Unsupported image reference "${raw}". Use a file path, a file:// URL, a data: URL, or an http(s) URL.`,
      isError: true,
      details: { error: "unsupported_image_reference", image: raw },
    };
  const isUrl = scheme === "http" || scheme === "https";
  if (isUrl && ctx.sandbox)
    return { text: "This session is sandboxed: the image tool reads files from the workspace only, not URLs.", isError: true };
  const max = maxBytesFor(args, ctx.config);
  const prompt = args.prompt?.trim() || DEFAULT_IMAGE_PROMPT;

  let loaded: Loaded;
  try {
    loaded = scheme === "data" ? loadDataUrl(raw, max) : isUrl ? await loadUrl(raw, ctx, max, deps) : await loadFile(raw, ctx, max);
  } catch (e) {
    if (ctx.signal.aborted) return { text: "The image tool was stopped before the image was loaded.", isError: true };
    if (e instanceof ImageError || e instanceof FetchRefusedError) return { text: e.message, isError: true };
    return { text: `Could not load the image ${raw}: ${(e as Error).message}`, isError: true };
  }
  const mimeType = sniffImageType(loaded.data);
  if (!mimeType)
    return {
      text: `${loaded.shown} is not an image the image tool can send: only PNG, JPEG, GIF and WebP files are supported.`,
      isError: true,
    };

  const message: UserMessage = {
    role: "user",
    content: [
      { type: "text", text: prompt },
      { type: "image", data: loaded.data.toString("base64"), mimeType },
    ],
    timestamp: ctx.now(),
  };
  let ref = chain[0]!;
  try {
    const stream = models.stream(ctx.agentId, chain)({ messages: [message], maxTokens: IMAGE_REPLY_MAX_TOKENS, signal: ctx.signal });
    let step = await stream.next();
    while (!step.done) {
      if (step.value.type === "model") ref = `${step.value.model.provider}/${step.value.model.id}`;
      step = await stream.next();
    }
    const text = replyText(step.value, ref);
    return { text, details: { model: ref, image: loaded.shown } };
  } catch (e) {
    if (ctx.signal.aborted) return { text: "The image tool was stopped while the model was looking at the image.", isError: true };
    if (e instanceof ImageError) return { text: e.message, isError: true };
    return { text: `The image model could not describe ${loaded.shown}: ${(e as Error).message}`, isError: true };
  }
}

/** The tool; offered only when `agents.defaults.imageModel` is configured. */
export function createImageTool(deps: ImageToolDeps = {}): Tool<Args> {
  return defineTool({
    name: "image",
    description:
      "Look at an image with the configured image model (agents.defaults.imageModel) and answer a prompt about it. Give an image path or URL. Use it only for images not already shown to you in the conversation.",
    args: imageArgs,
    available: ({ config }) => imageModelChain(config).length > 0,
    run: (args, ctx) => run(args, ctx, deps),
  });
}
