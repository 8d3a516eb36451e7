/**
 * Bounded inputs: request bodies, the config file and the presence fan-out are limited so one
 * request or one file cannot take the gateway's memory (a 256 MB machine) or its time.
 * Peak memory is the gateway's VmHWM from /proc/<pid>/status, read after the attack.
 */
import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import {
  CHAT_COMPLETIONS_ON,
  Harness,
  TOKEN,
  describeOutcome,
  httpRequest,
  llmConfig,
  peakRssMb,
  report,
  tryConnect,
  type Gw,
  type Peer,
} from "./harness.js";

const MB = 1_000_000;
const MiB = 1024 * 1024;
const RSS_LIMIT_MB = 200;

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The whole response (head and Content-Length bytes of body) arrived. */
  complete: boolean;
  bytesSent: number;
  /** A socket error seen before the response was complete. */
  error?: string;
}

/**
 * POSTs `head + filler × n + tail` with a Content-Length, writing as fast as the socket takes it,
 * and reads the response as it comes: the server may answer before the body is sent.
 */
function postLarge(
  gw: Gw,
  headers: Record<string, string>,
  parts: { head: string; fill: string; fillBytes: number; tail: string },
  timeoutMs = 120_000,
): Promise<RawReply> {
  const length = Buffer.byteLength(parts.head) + parts.fillBytes + Buffer.byteLength(parts.tail);
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port: gw.port });
    let raw = Buffer.alloc(0);
    let sent = 0;
    let done = false;
    let reply: RawReply | null = null;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(
        reply ?? {
          status: 0,
          headers: {},
          body: raw.toString("utf8").slice(0, 500),
          complete: false,
          bytesSent: sent,
          error: error ?? "closed without a response",
        },
      );
    };
    const timer = setTimeout(() => finish(`no complete response within ${timeoutMs} ms`), timeoutMs);
    s.on("data", (d: Buffer) => {
      raw = Buffer.concat([raw, d]);
      const end = raw.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = raw.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
      const hs: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        if (i > 0) hs[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const body = raw.subarray(end + 4);
      if (hs["transfer-encoding"]?.toLowerCase() === "chunked") {
        const decoded = dechunk(body);
        reply = { status, headers: hs, body: decoded ?? body.toString("utf8"), complete: decoded !== null, bytesSent: sent };
        if (decoded !== null) finish();
        return;
      }
      const want = hs["content-length"] !== undefined ? Number(hs["content-length"]) : null;
      if (want !== null && body.length >= want) {
        reply = { status, headers: hs, body: body.subarray(0, want).toString("utf8"), complete: true, bytesSent: sent };
        finish();
      } else if (want === null) {
        reply = { status, headers: hs, body: body.toString("utf8"), complete: false, bytesSent: sent };
      }
    });
    s.on("end", () => {
      // Without a length or chunks, the body ends with the connection.
      if (reply && !reply.complete && reply.headers["content-length"] === undefined && !reply.headers["transfer-encoding"])
        reply.complete = true;
      finish();
    });
    s.on("error", (e) => {
      if (reply && !reply.complete) reply.error = e.message;
      finish(e.message);
    });
    s.on("connect", async () => {
      const headText =
        `POST /v1/chat/completions HTTP/1.1\r\nHost: ${gw.host}\r\nContent-Length: ${length}\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join("") +
        "\r\n";
      const write = (chunk: string | Buffer) =>
        new Promise<boolean>((r) => {
          if (done || s.destroyed) return r(false);
          sent += Buffer.byteLength(chunk);
          if (s.write(chunk)) return r(true);
          const onDrain = () => {
            s.off("close", onClose);
            r(true);
          };
          const onClose = () => {
            s.off("drain", onDrain);
            r(false);
          };
          s.once("drain", onDrain);
          s.once("close", onClose);
        });
      if (!(await write(headText + parts.head))) return;
      const block = Buffer.from(parts.fill.repeat(Math.ceil((256 * 1024) / parts.fill.length)).slice(0, 256 * 1024));
      let left = parts.fillBytes;
      while (left > 0) {
        const n = Math.min(left, block.length);
        if (!(await write(n === block.length ? block : block.subarray(0, n)))) return;
        left -= n;
      }
      await write(parts.tail);
    });
  });
}

/** A chunked body decoded, or null while its last chunk has not arrived. */
function dechunk(buf: Buffer): string | null {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", i);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(i, eol).toString("latin1"), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return Buffer.concat(out).toString("utf8");
    if (buf.length < eol + 2 + size + 2) return null;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

const AUTH = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

describe("bounded request bodies on /v1/chat/completions", { timeout: 240_000 }, () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  async function start() {
    const fake = await h.fakeLlm();
    const gw = await h.launch({ token: TOKEN, config: llmConfig(fake, CHAT_COMPLETIONS_ON) });
    return { gw, fake };
  }

  it(
    `a 10 MB deeply nested JSON body gets 400 or 413 with a JSON error, peak RSS under ${RSS_LIMIT_MB} MB`,
    { timeout: 60_000 },
    async (t) => {
      const { gw, fake } = await start();
      const depth = 5 * MB;
      const r = await postLarge(gw, AUTH, {
        head: `{"model":"openclaw","messages":[{"role":"user","content":"hi"}],"metadata":`,
        fill: "[",
        fillBytes: depth,
        tail: "]".repeat(depth) + "}",
      });
      const rss = peakRssMb(gw.pid);
      report(
        t,
        `${(r.bytesSent / MB).toFixed(1)} MB sent → ${r.status || r.error} ${r.body.slice(0, 160)}; gateway VmHWM ${rss} MB; alive ${gw.exited === null}; model requests ${fake.requests.length}`,
      );
      assert.equal(gw.exited, null, `the gateway died: ${JSON.stringify(gw.exited)}`);
      assert.ok(r.status === 400 || r.status === 413, `status ${r.status || r.error}`);
      assert.ok(JSON.parse(r.body).error, "a JSON error body");
      assert.ok(rss > 0 && rss < RSS_LIMIT_MB, `VmHWM ${rss} MB`);
      assert.equal(fake.requests.length, 0);
    },
  );

  it(
    `a 10 MB huge-array JSON body gets 400 or 413 with a JSON error, peak RSS under ${RSS_LIMIT_MB} MB`,
    { timeout: 60_000 },
    async (t) => {
      const { gw, fake } = await start();
      const n = 5 * MB;
      const r = await postLarge(
        gw,
        AUTH,
        { head: `{"model":"openclaw","messages":[`, fill: "0,", fillBytes: 2 * (n - 1), tail: "0]}" },
        30_000,
      );
      const rss = peakRssMb(gw.pid);
      report(
        t,
        `${(r.bytesSent / MB).toFixed(1)} MB sent → ${r.status || r.error} ${r.body.slice(0, 160)}; gateway VmHWM ${rss} MB; alive ${gw.exited === null}`,
      );
      assert.equal(gw.exited, null, `the gateway died: ${JSON.stringify(gw.exited)}`);
      assert.ok(r.status === 400 || r.status === 413, `status ${r.status || r.error}`);
      assert.ok(JSON.parse(r.body).error, "a JSON error body");
      assert.ok(rss > 0 && rss < RSS_LIMIT_MB, `VmHWM ${rss} MB`);
      assert.equal(fake.requests.length, 0);
    },
  );

  it("a body over 16 MiB gets a complete 413 with Connection: close, read before any reset", { timeout: 60_000 }, async (t) => {
    const { gw, fake } = await start();
    const size = 17 * MiB;
    const head = `{"model":"openclaw","messages":[{"role":"user","content":"`;
    const tail = `"}]}`;
    const r = await postLarge(gw, AUTH, { head, fill: "a", fillBytes: size - head.length - tail.length, tail });
    report(
      t,
      `${(r.bytesSent / MiB).toFixed(1)} of 17 MiB sent → ${r.status || "no status"} (complete ${r.complete}, connection: ${r.headers.connection}, error ${r.error ?? "none"}) ${r.body.slice(0, 160)}; model requests ${fake.requests.length}`,
    );
    assert.equal(r.status, 413, `status ${r.status || r.error}`);
    assert.equal(r.complete, true, `the whole 413 response was read (${r.error ?? ""})`);
    assert.equal(r.headers.connection?.toLowerCase(), "close");
    assert.ok(JSON.parse(r.body).error, "a JSON error body");
    assert.equal(fake.requests.length, 0, "the model received nothing");
    assert.equal((await httpRequest(gw.port, { path: "/healthz" })).status, 200);
  });

  it("a 19 MB system message is refused with 400 or 413 and never reaches the model", { timeout: 60_000 }, async (t) => {
    const { gw, fake } = await start();
    const head = `{"model":"openclaw","messages":[{"role":"system","content":"`;
    const tail = `"},{"role":"user","content":"hi"}]}`;
    const r = await postLarge(gw, AUTH, { head, fill: "You are helpful. ", fillBytes: 19 * MB, tail });
    report(
      t,
      `${(r.bytesSent / MB).toFixed(1)} MB sent → ${r.status || r.error} ${r.body.slice(0, 160)}; model requests ${fake.requests.length}`,
    );
    assert.ok(r.status === 400 || r.status === 413, `status ${r.status || r.error}`);
    assert.equal(fake.requests.length, 0, "the model received nothing");
    assert.equal(gw.exited, null);
  });
});

describe("bounded openclaw.json", { timeout: 120_000 }, () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  it(
    `a 10 MB openclaw.json: the gateway starts, /readyz is 503 naming the size limit, peak RSS under ${RSS_LIMIT_MB} MB`,
    { timeout: 60_000 },
    async (t) => {
      const stateDir = h.tmp();
      const file = path.join(stateDir, "openclaw.json");
      fs.writeFileSync(
        file,
        `// a config grown out of hand\n{\n  gateway: { mode: "local" },\n  env: { vars: { PADDING: "${"x".repeat(10 * MB)}" } },\n}\n`,
      );
      const gw = await h.launch({ stateDir, token: TOKEN, timeoutMs: 60_000 });
      const ready = await httpRequest(gw.port, { path: "/readyz" });
      const rss = peakRssMb(gw.pid);
      report(
        t,
        `${(fs.statSync(file).size / MB).toFixed(1)} MB config → /readyz ${ready.status} ${ready.text.slice(0, 300)}; VmHWM ${rss} MB`,
      );
      assert.equal(ready.status, 503, "not ready with an oversized config");
      assert.match(
        JSON.stringify([ready.json?.reason, ready.json?.issues]),
        /too (large|big)|size|limit|larger than|exceed/i,
        "the reason names the size limit",
      );
      assert.ok(rss > 0 && rss < RSS_LIMIT_MB, `VmHWM ${rss} MB`);
      assert.equal((await httpRequest(gw.port, { path: "/healthz" })).status, 200);
    },
  );

  it("a 20,000-deep nested openclaw.json: no crash, /readyz is 503 naming the nesting depth", { timeout: 60_000 }, async (t) => {
    const stateDir = h.tmp();
    const depth = 20_000;
    fs.writeFileSync(path.join(stateDir, "openclaw.json"), '{"a":'.repeat(depth) + "{}" + "}".repeat(depth));
    const gw = await h.launch({ stateDir, token: TOKEN, timeoutMs: 30_000 }).catch((e: Error) => e);
    if (gw instanceof Error) {
      report(t, `did not start: ${gw.message.slice(-600)}`);
      assert.fail(`the gateway did not start: ${gw.message.slice(-600)}`);
    }
    const ready = await httpRequest(gw.port, { path: "/readyz" });
    report(t, `/readyz ${ready.status} ${ready.text.slice(0, 300)}; alive ${gw.exited === null}`);
    assert.equal(ready.status, 503);
    assert.match(JSON.stringify([ready.json?.reason, ready.json?.issues]), /depth|nest/i, "the reason names the nesting depth");
    assert.equal(gw.exited, null);
  });
});

describe("presence fan-out", { timeout: 180_000 }, () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  it("300 clients connecting one after another receive O(N) bytes in total (under 300 × 256 KiB)", { timeout: 120_000 }, async (t) => {
    const gw = await h.launch({ token: TOKEN });
    const n = 300;
    const bound = n * 256 * 1024;
    const peers: Peer[] = [];
    const total = () => peers.reduce((sum, p) => sum + p.bytes, 0);
    let refused = "";
    for (let i = 0; i < n && total() <= bound; i++) {
      const o = await tryConnect(h, gw.port, { token: TOKEN, timeoutMs: 20_000 });
      if (o.kind !== "res" || !o.res.ok) {
        refused = `client ${i + 1}: ${describeOutcome(o)}`;
        break;
      }
      peers.push(o.peer);
    }
    // One last round trip on the newest client, so frames already sent to the others have arrived too.
    await peers.at(-1)?.request("health", {});
    const bytes = total();
    const open = peers.filter((p) => p.open).length;
    report(
      t,
      `${peers.length} clients connected, ${open} still open; ${(bytes / MiB).toFixed(1)} MiB received in total (${Math.round(bytes / Math.max(1, peers.length) / 1024)} KiB per client; bound ${bound / MiB} MiB)${refused ? `; ${refused}` : ""}`,
    );
    assert.equal(refused, "", refused);
    assert.ok(bytes <= bound, `${bytes} bytes received by ${peers.length} clients; bound ${bound}`);
    assert.equal(peers.length, n);
    assert.equal(open, n, "every client stays connected");
  });
});
