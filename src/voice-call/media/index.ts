/** Media for voice calls: Twilio media streams, streaming speech-to-text and text-to-speech. */
export {
  createMediaStreamServer,
  twimlStream,
  MAX_STREAM_FRAME,
  type MediaCallbacks,
  type MediaSession,
  type MediaStreamHandlers,
  type MediaStreamServer,
  type MediaStreamServerOptions,
  type StreamStartInfo,
  type StreamingKeys,
  type VoiceStreamingConfig,
} from "./stream.js";
export { RealtimeStt, realtimeUrl } from "./stt-openai-realtime.js";
export * from "./mulaw.js";
