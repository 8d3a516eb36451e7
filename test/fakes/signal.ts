/**
 * A fake signal-cli HTTP daemon (`signal-cli daemon --http`) on 127.0.0.1 (port 0): JSON-RPC on
 * `POST /api/v1/rpc`, server-sent events on `GET /api/v1/events`, health on `GET /api/v1/check`.
 *
 * RPC methods: send (answers `{timestamp, results}`), sendTyping, sendReceipt, sendReaction,
 * getAttachment (`{data}` base64 of what `addAttachment` stored), getUserStatus, version. Unknown
 * methods get JSON-RPC error -32601. Every call is recorded (`calls(method)`, `sent()` for sends),
 * and `nextCall(method)` resolves on the next one.
 *
 * Inbound: `receive(envelope)` pushes an envelope (`event: receive`, data `{envelope, account}`) to
 * every open stream; `userSends({...})` builds a realistic one. `dropStreams()` ends all streams,
 * `nextStream()` resolves when a client opens one.
 */
import { EventEmitter, once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readBody } from "./http.js";

export interface RpcCall {
  method: string;
  params: Record<string, any>;
}

export interface UserSendsOptions {
  from: { number?: string; uuid?: string; name?: string };
  text?: string;
  groupId?: string;
  groupName?: string;
  mentions?: Array<{ number?: string; uuid?: string; name?: string; start: number; length: number }>;
  attachments?: Array<{ id: string; contentType: string; filename?: string; size?: number }>;
  quote?: { id: number; authorNumber?: string; authorUuid?: string; text?: string };
  timestamp?: number;
}

export interface SignalFake {
  url: string;
  account: string;
  uuid: string;
  close(): Promise<void>;
  receive(envelope: Record<string, unknown>): void;
  userSends(opts: UserSendsOptions): number;
  dropStreams(): void;
  streamCount(): number;
  nextStream(): Promise<void>;
  calls(method?: string): RpcCall[];
  sent(): RpcCall["params"][];
  nextCall(method: string, match?: (params: Record<string, any>) => boolean): Promise<Record<string, any>>;
  addAttachment(id: string, data: Buffer): void;
}

export async function startSignalFake(opts: { account: string; uuid?: string; host?: string; port?: number }): Promise<SignalFake> {
  const account = opts.account;
  const uuid = opts.uuid ?? "0b0b0b0b-1111-4222-8333-444455556666";
  const events = new EventEmitter();
  const calls: RpcCall[] = [];
  const streams = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();
  const attachments = new Map<string, Buffer>();
  let clock = 1_700_000_000_000;
  const stamp = () => ++clock;

  const answer = (call: RpcCall): { result?: unknown; error?: { code: number; message: string } } => {
    switch (call.method) {
      case "send":
        return { result: { timestamp: stamp(), results: [{ type: "SUCCESS" }] } };
      case "sendReaction":
        return { result: { timestamp: stamp(), results: [{ type: "SUCCESS" }] } };
      case "sendTyping":
      case "sendReceipt":
        return { result: {} };
      case "getAttachment": {
        const data = attachments.get(String(call.params.id));
        return data ? { result: { data: data.toString("base64") } } : { error: { code: -1, message: "Attachment not found" } };
      }
      case "getUserStatus":
        return {
          result: (call.params.recipient ?? []).map((r: string) => ({
            recipient: r,
            number: r,
            uuid: r === account ? uuid : null,
            isRegistered: true,
          })),
        };
      case "version":
        return { result: { version: "0.13.22" } };
      default:
        return { error: { code: -32601, message: "Method not implemented" } };
    }
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/api/v1/check") {
      res.writeHead(200).end();
      return;
    }
    if (req.method === "GET" && url.pathname === "/api/v1/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      res.write(":\n\n");
      streams.add(res);
      res.on("close", () => streams.delete(res));
      events.emit("stream");
      return;
    }
    if (req.method === "POST" && url.pathname === "/api/v1/rpc") {
      let body: { method?: string; params?: Record<string, any>; id?: unknown };
      try {
        body = JSON.parse((await readBody(req)).toString("utf8"));
      } catch {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null }));
        return;
      }
      const call: RpcCall = { method: String(body.method), params: body.params ?? {} };
      calls.push(call);
      const out = answer(call);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", ...out, id: body.id }));
      events.emit("call", call);
      return;
    }
    res.writeHead(404).end();
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const receive = (envelope: Record<string, unknown>) => {
    const data = JSON.stringify({ envelope, account });
    for (const s of streams) s.write(`event:receive\ndata:${data}\n\n`);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    account,
    uuid,
    async close() {
      for (const s of streams) s.end();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    receive,
    userSends(o) {
      const timestamp = o.timestamp ?? stamp();
      const dataMessage: Record<string, unknown> = { timestamp, message: o.text ?? null, expiresInSeconds: 0, viewOnce: false };
      if (o.groupId) dataMessage.groupInfo = { groupId: o.groupId, groupName: o.groupName, type: "DELIVER" };
      if (o.mentions)
        dataMessage.mentions = o.mentions.map((m) => ({
          name: m.name ?? m.number ?? m.uuid,
          number: m.number ?? null,
          uuid: m.uuid ?? null,
          start: m.start,
          length: m.length,
        }));
      if (o.attachments)
        dataMessage.attachments = o.attachments.map((a) => ({
          ...a,
          filename: a.filename ?? null,
          size: a.size ?? attachments.get(a.id)?.length,
        }));
      if (o.quote)
        dataMessage.quote = {
          id: o.quote.id,
          author: o.quote.authorNumber ?? o.quote.authorUuid,
          authorNumber: o.quote.authorNumber ?? null,
          authorUuid: o.quote.authorUuid ?? null,
          text: o.quote.text ?? null,
          attachments: [],
        };
      receive({
        source: o.from.number ?? o.from.uuid,
        sourceNumber: o.from.number ?? null,
        sourceUuid: o.from.uuid ?? null,
        sourceName: o.from.name ?? null,
        sourceDevice: 1,
        timestamp,
        serverReceivedTimestamp: timestamp + 5,
        serverDeliveredTimestamp: timestamp + 9,
        dataMessage,
      });
      return timestamp;
    },
    dropStreams() {
      for (const s of streams) {
        s.end();
        s.socket?.destroy();
      }
      streams.clear();
    },
    streamCount: () => streams.size,
    nextStream: () => once(events, "stream").then(() => undefined),
    calls: (method) => (method ? calls.filter((c) => c.method === method) : [...calls]),
    sent: () => calls.filter((c) => c.method === "send").map((c) => c.params),
    nextCall(method, match) {
      return new Promise((resolve) => {
        const on = (c: RpcCall) => {
          if (c.method !== method || (match && !match(c.params))) return;
          events.off("call", on);
          resolve(c.params);
        };
        events.on("call", on);
      });
    },
    addAttachment(id, data) {
      attachments.set(id, data);
    },
  };
}
