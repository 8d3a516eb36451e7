/**
 * A Twilio media-stream client, as Twilio's side of `<Connect><Stream>`: opens the WebSocket, says
 * `connected` and `start` (with the stream's custom parameters), sends the caller's μ-law audio in
 * 20 ms frames, echoes marks, and records what the gateway sends back.
 */
import { WebSocket } from "ws";
import { encodeMulaw } from "../../src/voice-call/media/index.js";
import { tonePcm } from "./realtime.js";
import { waitFor } from "../helpers/gateway.js";

export class FakeMediaClient {
  readonly received: any[] = [];
  closeCode: number | null = null;
  echoMarks = true;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      const msg = JSON.parse(d.toString());
      this.received.push(msg);
      if (msg.event === "mark" && this.echoMarks) this.send({ event: "mark", streamSid: msg.streamSid, mark: { name: msg.mark.name } });
    });
    ws.on("close", (code) => (this.closeCode = code));
  }

  static async connect(url: string): Promise<FakeMediaClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new FakeMediaClient(ws);
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  start(callSid: string, params: Record<string, string>): void {
    this.send({ event: "connected", protocol: "Call", version: "1.0.0" });
    this.send({
      event: "start",
      sequenceNumber: "1",
      streamSid: `MZ${callSid}`,
      start: {
        streamSid: `MZ${callSid}`,
        accountSid: "AC1",
        callSid,
        tracks: ["inbound"],
        customParameters: params,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
    });
  }

  /** Sends `count` 20 ms frames of a tone as the caller's audio. */
  sendAudio(callSid: string, count: number): void {
    const ulaw = encodeMulaw(new Int16Array(tonePcm(8000, 0.02 * count).buffer.slice(0)));
    for (let i = 0; i < count; i++) {
      this.send({
        event: "media",
        sequenceNumber: String(i + 2),
        streamSid: `MZ${callSid}`,
        media: {
          track: "inbound",
          chunk: String(i + 1),
          timestamp: String(i * 20),
          payload: ulaw.subarray(i * 160, (i + 1) * 160).toString("base64"),
        },
      });
    }
  }

  media(): any[] {
    return this.received.filter((m) => m.event === "media");
  }

  closed(): Promise<number> {
    return waitFor(() => this.closeCode, 5000, "stream closed").then((c) => c!);
  }
}
