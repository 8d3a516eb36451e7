/**
 * What the call manager needs from the media-stream and tunnel sides, as the shapes they export
 * (`./media/index.ts`, `./tunnel/index.ts`). The plugin takes them as optional dependencies, so
 * without them calls fall back to `<Gather input="speech">` and the public URL comes from
 * `publicUrl` (or a trusted proxy's headers).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../infra/logger.js";

export interface MediaCallbacks {
  onTranscript(text: string, final: boolean): void;
  onSpeechStart?(): void;
  onClose(): void;
}
export interface MediaStreamHandlers {
  onStart(info: { streamSid: string; callSid: string; customParameters: Record<string, string> }): MediaCallbacks | null;
}
export interface MediaSession {
  speak(text: string, opts?: { signal?: AbortSignal }): Promise<void>;
  clear(): void;
  close(): void;
}
export interface MediaStreamServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/** The media side's exports, as the plugin receives them. */
export interface VoiceMediaSeam {
  createMediaStreamServer(opts: {
    config: unknown;
    env: Record<string, string | undefined>;
    log: Logger;
    handlers: MediaStreamHandlers;
    sessions: Map<string, MediaSession>;
  }): MediaStreamServer;
  twimlStream(url: string, params?: Record<string, string>): string;
}

/** The tunnel side's export. */
export type StartTunnel = (opts: {
  provider: "none" | "ngrok" | "tailscale-serve" | "tailscale-funnel";
  port: number;
  path: string;
  ngrokAuthToken?: string;
  ngrokDomain?: string;
  env: Record<string, string | undefined>;
  log: Logger;
  binPath?: string;
  /** A restarted ngrok's new URL. */
  onUrlChange?(publicUrl: string): void;
}) => Promise<{ publicUrl: string | null; stop(): Promise<void> }>;

export interface VoiceCallSeams {
  media?: VoiceMediaSeam;
  startTunnel?: StartTunnel;
}

/** The media-stream and tunnel sides of this build, loaded with the runtime (never at gateway start). */
export async function builtinSeams(): Promise<Required<VoiceCallSeams>> {
  const [media, tunnel] = await Promise.all([import("./media/index.js"), import("./tunnel/index.js")]);
  return {
    media: {
      createMediaStreamServer: media.createMediaStreamServer as VoiceMediaSeam["createMediaStreamServer"],
      twimlStream: media.twimlStream,
    },
    startTunnel: tunnel.startTunnel,
  };
}
