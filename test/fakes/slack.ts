/**
 * A fake Slack for tests and benchmarks: the Web API methods the adapter calls (over HTTP, answering
 * like Slack: `{ ok: true, ... }` or `{ ok: false, error }`) and the Socket Mode WebSocket (sends
 * `hello`, pushes `events_api` envelopes, records the acks). It also signs Events API requests for
 * HTTP mode, with the signing secret it was given.
 *
 *   const slack = await startSlackFake();
 *   config: { botToken: slack.botToken, appToken: slack.appToken, apiBaseUrl: slack.apiBaseUrl }
 *   slack.userSays({ channel: "C1", user: "U1", text: "<@UBOT> hi" });
 *   await slack.waitForCall("chat.postMessage");
 */
import http from "node:http";
import crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { readBody } from "./http.js";

export interface SlackCall {
  method: string;
  args: Record<string, any>;
  token?: string;
}

export interface FakeChannel {
  id: string;
  name?: string;
  is_im?: boolean;
  is_mpim?: boolean;
}

export interface FakeUser {
  id: string;
  name: string;
  real_name?: string;
  is_bot?: boolean;
}

export interface SlackFakeOptions {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  botUserId?: string;
  botName?: string;
}

export interface SlackFake {
  /** Give this to `channels.slack.apiBaseUrl`. */
  apiBaseUrl: string;
  /** The fake's own origin (file downloads are served from it). */
  url: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
  botUserId: string;
  botId: string;
  /** Every Web API call, in order. */
  calls: SlackCall[];
  /** Calls of one method. */
  callsOf(method: string): SlackCall[];
  /** Resolves with the next call of `method` (counting from now, or the `after`-th call on). */
  waitForCall(method: string, opts?: { after?: number; timeoutMs?: number }): Promise<SlackCall>;
  /** Envelope ids the client acknowledged. */
  acks: string[];
  /** Socket Mode connections opened so far. */
  connections: number;
  /** Resolves once connection number `n` (1-based; default: the next one) has been sent its `hello`. */
  waitForConnection(n?: number, timeoutMs?: number): Promise<void>;
  /** Closes every Socket Mode socket, as Slack does when it rotates servers. */
  dropSockets(): void;
  addChannel(c: FakeChannel): void;
  addUser(u: FakeUser): void;
  /** A file the fake serves at `url_private` (only with the bot token). */
  addFile(name: string, mimetype: string, data: Buffer): Record<string, unknown>;
  /** Pushes an event over Socket Mode; returns its envelope id. */
  pushEvent(event: Record<string, unknown>): string;
  /** A `message` event from a person (with `mention: true`, also the `app_mention` Slack sends alongside). */
  userSays(m: {
    channel: string;
    user: string;
    text: string;
    channelType?: string;
    threadTs?: string;
    files?: unknown[];
    mention?: boolean;
  }): string;
  /** The Events API body Slack would POST in HTTP mode, with valid signature headers (or a wrong one). */
  signedRequest(event: Record<string, unknown>, opts?: { badSignature?: boolean }): { body: string; headers: Record<string, string> };
  /** Makes `method` answer `{ ok: false, error }` from now on (undefined: answer normally again). */
  failMethod(method: string, error: string | undefined): void;
  /** Makes `method` answer only after `ms` milliseconds from now on (0: at once again). */
  delayMethod(method: string, ms: number): void;
  /** Socket Mode sockets open right now. */
  openSockets: number;
  close(): Promise<void>;
}

let tsCounter = 0;
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, "0")}`;

export async function startSlackFake(opts: SlackFakeOptions = {}): Promise<SlackFake> {
  const botToken = opts.botToken ?? "xoxb-fake-bot-token";
  const appToken = opts.appToken ?? "xapp-fake-app-token";
  const signingSecret = opts.signingSecret ?? "fake-signing-secret";
  const botUserId = opts.botUserId ?? "UBOT0001";
  const botId = "BBOT0001";
  const botName = opts.botName ?? "krill";
  const channels = new Map<string, FakeChannel>();
  const users = new Map<string, FakeUser>();
  const files = new Map<string, { name: string; mimetype: string; data: Buffer }>();
  const uploads = new Map<string, { filename: string; data?: Buffer }>();
  const failures = new Map<string, string>();
  const delays = new Map<string, number>();
  const calls: SlackCall[] = [];
  const acks: string[] = [];
  const callWaiters: Array<() => void> = [];
  const connWaiters: Array<() => void> = [];
  const sockets = new Set<WebSocket>();
  let connections = 0;
  let envelope = 0;
  let fileSeq = 0;

  const notify = (list: Array<() => void>) => {
    for (const w of list.splice(0)) w();
  };

  const server = http.createServer((req, res) => void handle(req, res));
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (!req.url?.startsWith("/socket")) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      connections++;
      ws.on("close", () => sockets.delete(ws));
      ws.on("message", (data) => {
        try {
          const msg = JSON.parse(String(data)) as { envelope_id?: string };
          if (msg.envelope_id) acks.push(msg.envelope_id);
        } catch {
          /* not JSON: ignore, as Slack would */
        }
      });
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: sockets.size,
          debug_info: { host: "fake" },
          connection_info: { app_id: "AFAKE" },
        }),
      );
      notify(connWaiters);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const json = (res: http.ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? "/", url);
    const raw = await readBody(req);
    const auth = req.headers.authorization?.replace(/^Bearer\s+/i, "");
    if (u.pathname.startsWith("/files/")) {
      const f = files.get(u.pathname.slice("/files/".length));
      if (!f) return json(res, { error: "not found" }, 404);
      if (auth !== botToken) {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>sign in</html>");
        return;
      }
      res.writeHead(200, { "content-type": f.mimetype, "content-length": f.data.length });
      res.end(f.data);
      return;
    }
    if (u.pathname.startsWith("/upload/")) {
      const up = uploads.get(u.pathname.slice("/upload/".length));
      if (up) up.data = raw;
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("OK");
      return;
    }
    const m = /^\/api\/([\w.]+)$/.exec(u.pathname);
    if (!m) return json(res, { ok: false, error: "unknown_method" }, 404);
    const method = m[1]!;
    const type = String(req.headers["content-type"] ?? "");
    let args: Record<string, any> = {};
    if (type.includes("application/json")) args = raw.length ? JSON.parse(raw.toString("utf8")) : {};
    else for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) args[k] = v;
    for (const [k, v] of u.searchParams) args[k] ??= v;
    const token = auth ?? args.token;
    calls.push({ method, args, token });
    notify(callWaiters);
    const delay = delays.get(method);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const failure = failures.get(method);
    if (failure) return json(res, { ok: false, error: failure });
    const expected = method === "apps.connections.open" ? appToken : botToken;
    if (token !== expected)
      return json(res, { ok: false, error: method === "apps.connections.open" ? "not_allowed_token_type" : "invalid_auth" });
    switch (method) {
      case "auth.test":
        return json(res, {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake",
          user: botName,
          team_id: "TFAKE",
          user_id: botUserId,
          bot_id: botId,
        });
      case "apps.connections.open":
        return json(res, { ok: true, url: `ws://127.0.0.1:${port}/socket?ticket=${connections + 1}` });
      case "chat.postMessage":
        return json(res, { ok: true, channel: args.channel, ts: nextTs(), message: { text: args.text } });
      case "reactions.add":
      case "reactions.remove":
        return json(res, { ok: true });
      case "conversations.info": {
        const c = channels.get(String(args.channel));
        return c ? json(res, { ok: true, channel: c }) : json(res, { ok: false, error: "channel_not_found" });
      }
      case "conversations.open":
        return json(res, { ok: true, channel: { id: `D${String(args.users).replace(/^U/, "")}` } });
      case "users.info": {
        const user = users.get(String(args.user));
        return user
          ? json(res, { ok: true, user: { ...user, profile: { display_name: user.real_name ?? "", real_name: user.real_name ?? "" } } })
          : json(res, { ok: false, error: "user_not_found" });
      }
      case "files.getUploadURLExternal": {
        const id = `F${String(++fileSeq).padStart(6, "0")}`;
        uploads.set(id, { filename: String(args.filename) });
        return json(res, { ok: true, upload_url: `${url}/upload/${id}`, file_id: id });
      }
      case "files.completeUploadExternal": {
        const list = JSON.parse(String(args.files ?? "[]")) as Array<{ id: string; title?: string }>;
        return json(res, { ok: true, files: list.map((f) => ({ id: f.id, title: f.title ?? uploads.get(f.id)?.filename })) });
      }
      default:
        return json(res, { ok: false, error: "unknown_method" });
    }
  }

  function waitList<T>(list: Array<() => void>, check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake Slack: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const attempt = () => {
        const hit = check();
        if (hit !== undefined) {
          clearTimeout(timer);
          resolve(hit);
        } else list.push(attempt);
      };
      attempt();
    });
  }

  const fake: SlackFake = {
    apiBaseUrl: `${url}/api/`,
    url,
    botToken,
    appToken,
    signingSecret,
    botUserId,
    botId,
    calls,
    acks,
    get connections() {
      return connections;
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    waitForCall(method, o = {}) {
      const after = o.after ?? calls.filter((c) => c.method === method).length;
      return waitList(callWaiters, () => calls.filter((c) => c.method === method)[after], o.timeoutMs ?? 10_000, `${method} call`);
    },
    waitForConnection(n, timeoutMs = 10_000) {
      const want = n ?? connections + 1;
      return waitList(connWaiters, () => (connections >= want ? true : undefined), timeoutMs, `Socket Mode connection #${want}`).then(
        () => undefined,
      );
    },
    dropSockets() {
      for (const ws of sockets) ws.close(1001, "server rotating");
    },
    addChannel: (c) => void channels.set(c.id, c),
    addUser: (u) => void users.set(u.id, u),
    addFile(name, mimetype, data) {
      const id = `F${String(++fileSeq).padStart(6, "0")}`;
      files.set(id, { name, mimetype, data });
      return { id, name, mimetype, size: data.length, url_private: `${url}/files/${id}`, url_private_download: `${url}/files/${id}` };
    },
    pushEvent(event) {
      const id = `env-${++envelope}`;
      const payload = {
        envelope_id: id,
        type: "events_api",
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: "",
        payload: eventBody(event),
      };
      const open = [...sockets].filter((s) => s.readyState === s.OPEN);
      if (!open.length) throw new Error("fake Slack: no Socket Mode connection to push the event to");
      open[0]!.send(JSON.stringify(payload));
      return id;
    },
    userSays(m) {
      const ts = nextTs();
      const channelType = m.channelType ?? (m.channel.startsWith("D") ? "im" : "channel");
      const ev: Record<string, unknown> = {
        type: "message",
        channel: m.channel,
        channel_type: channelType,
        user: m.user,
        text: m.text,
        ts,
        event_ts: ts,
      };
      if (m.threadTs) ev.thread_ts = m.threadTs;
      if (m.files) Object.assign(ev, { files: m.files, subtype: "file_share" });
      fake.pushEvent(ev);
      if (m.mention) {
        const mention: Record<string, unknown> = { type: "app_mention", channel: m.channel, user: m.user, text: m.text, ts, event_ts: ts };
        if (m.threadTs) mention.thread_ts = m.threadTs;
        fake.pushEvent(mention);
      }
      return ts;
    },
    signedRequest(event, o = {}) {
      const body = JSON.stringify(eventBody(event));
      const timestamp = String(Math.floor(Date.now() / 1000));
      const secret = o.badSignature ? `${signingSecret}-wrong` : signingSecret;
      const sig = `v0=${crypto.createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
      return { body, headers: { "content-type": "application/json", "x-slack-request-timestamp": timestamp, "x-slack-signature": sig } };
    },
    delayMethod(method, ms) {
      if (ms > 0) delays.set(method, ms);
      else delays.delete(method);
    },
    get openSockets() {
      return sockets.size;
    },
    failMethod(method, error) {
      if (error) failures.set(method, error);
      else failures.delete(method);
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function eventBody(event: Record<string, unknown>) {
    return {
      token: "verification-token",
      team_id: "TFAKE",
      api_app_id: "AFAKE",
      event,
      type: "event_callback",
      event_id: `Ev${++envelope}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: "TFAKE", user_id: botUserId, is_bot: true }],
    };
  }

  return fake;
}
