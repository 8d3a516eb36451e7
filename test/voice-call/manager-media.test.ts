/**
 * The call manager with media streams (the media side stubbed to its exported shape): an answered
 * conversation call connects a stream, a final transcript goes to the agent, and the answer is
 * spoken through the call's media session instead of the provider's API.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { parseVoiceCallConfig } from "../../src/voice-call/config.js";
import { CallManager } from "../../src/voice-call/manager.js";
import type { MediaSession } from "../../src/voice-call/seams.js";
import { CallStore } from "../../src/voice-call/store.js";
import type { Reply, VoiceProvider } from "../../src/voice-call/types.js";
import { tmpDir, waitFor } from "../helpers/gateway.js";

const quiet = { subsystem: "t", trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet } as any;

describe("call manager with media streams", () => {
  it("streams a conversation and speaks the agent's answer through the media session", { timeout: 10_000 }, async () => {
    const dir = tmpDir("oc-voice-media-");
    try {
      const updates: Reply[] = [];
      const provider: VoiceProvider = {
        name: "twilio",
        verify: () => ({ ok: true }),
        parse: () => ({ kind: "ignore" }),
        render: () => ({ contentType: "text/xml", body: "" }),
        place: async () => ({ providerCallId: "CAmedia" }),
        hangup: async () => undefined,
        update: async (_id, r) => void updates.push(r),
      };
      const spoken: string[] = [];
      const sessions = new Map<string, MediaSession>();
      const manager = new CallManager({
        config: parseVoiceCallConfig({ provider: "twilio", fromNumber: "+15550001111", streaming: { enabled: true } }),
        provider,
        store: new CallStore(dir),
        webhookUrl: () => "https://voice.example.com/voice/webhook",
        agent: async (_call, text) => `You said: ${text}`,
        log: quiet,
        now: Date.now,
        media: {
          sessions,
          streamTwiml: (callId) =>
            `<Connect><Stream url="wss://voice.example.com/voice/stream"><Parameter name="callId" value="${callId}"/></Stream></Connect>`,
        },
      });
      const placed = await manager.initiateCall("+15550002222", undefined, { message: "Hi there", mode: "conversation" });
      assert.equal(placed.success, true);
      const reply = await manager.handle(
        {
          kind: "answer",
          callId: (placed as any).callId,
          providerCallId: "CAmedia",
          from: "+15550001111",
          to: "+15550002222",
          direction: "outbound",
        },
        "https://voice.example.com/voice/webhook",
      );
      assert.equal(reply?.say, "Hi there");
      assert.match(reply!.streamTwiml!, /<Connect><Stream url="wss:\/\/voice\.example\.com\/voice\/stream">/);

      sessions.set("CAmedia", { speak: async (t) => void spoken.push(t), clear() {}, close() {} });
      assert.equal(manager.mediaStarted("CAmedia", "a-guessed-id"), null, "a stream without the call's own id is refused");
      const callbacks = manager.mediaStarted("CAmedia", (placed as any).callId)!;
      assert.ok(callbacks);
      callbacks.onTranscript("hel", false);
      callbacks.onTranscript("hello", true);
      await waitFor(() => spoken.length === 1, 5000, "spoken answer");
      assert.deepEqual(spoken, ["You said: hello"]);
      assert.deepEqual(updates, []);
      assert.equal(manager.mediaStarted("CAunknown", (placed as any).callId), null);
      manager.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
