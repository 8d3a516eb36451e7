/**
 * Descriptor exhaustion and idle sockets. A process has a fixed number of descriptors (1,024 on
 * many hosts); connections that send nothing must not be able to use them all up, or the gateway
 * can no longer accept its owner, open session files or reach its model. The gateway runs under
 * `prlimit --nofile=1024:1024`; figures come from /proc/<pid>/fd.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  Harness,
  Peer,
  TOKEN,
  chat,
  describeOutcome,
  fdCount,
  httpRequest,
  llmConfig,
  nofileLimit,
  pollStatus,
  report,
  sampler,
  textOf,
  tryConnect,
} from "./harness.js";

const LIMIT = 1024;
const FLOOD = 1100;
/** Descriptors the gateway must keep free for its own work. */
const HEADROOM = 64;

interface Flood {
  sockets: net.Socket[];
  connected: number;
  /** Connections the server ended or reset while we held them. */
  closedByServer: number;
  /** Connections that never got through (refused, reset during the handshake, timed out). */
  failed: number;
  /** Most connections open at once, as the attacker saw them. */
  peakOpen: number;
  /** Resolves when every socket has connected or failed, or after `boundMs`. */
  settled(boundMs: number): Promise<void>;
  release(): void;
}

/** Opens `n` TCP connections as fast as possible and sends nothing on them. */
function flood(port: number, n: number): Flood {
  let open = 0;
  let pending = n;
  let releasing = false;
  let wake: (() => void) | null = null;
  const f: Flood = {
    sockets: [],
    connected: 0,
    closedByServer: 0,
    failed: 0,
    peakOpen: 0,
    settled: (boundMs) =>
      new Promise<void>((resolve) => {
        if (pending === 0) return resolve();
        const timer = setTimeout(resolve, boundMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    release: () => {
      releasing = true;
      for (const s of f.sockets) s.destroy();
    },
  };
  const settle = () => {
    pending -= 1;
    if (pending === 0) wake?.();
  };
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: "127.0.0.1", port });
    f.sockets.push(s);
    let up = false;
    s.on("connect", () => {
      up = true;
      f.connected += 1;
      open += 1;
      f.peakOpen = Math.max(f.peakOpen, open);
      settle();
    });
    s.on("error", () => {});
    s.on("close", () => {
      if (!up) {
        f.failed += 1;
        settle();
        return;
      }
      open -= 1;
      if (!releasing) f.closedByServer += 1;
    });
    s.resume();
  }
  return f;
}

/** Resolves with the ms it took the server to close `s`, or null when it is still open after `boundMs`. */
function closedWithin(s: net.Socket | Peer, boundMs: number): Promise<number | null> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), boundMs);
    const done = () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    };
    if (s instanceof Peer) void s.closed.then(done);
    else s.once("close", done);
  });
}

describe("descriptor exhaustion", { timeout: 180_000 }, () => {
  const h = new Harness();
  let attack: Flood | null = null;
  let fds: ReturnType<typeof sampler> | null = null;
  after(async () => {
    fds?.stop();
    attack?.release();
    await h.cleanup();
  });

  it(`keeps serving while ${FLOOD} idle connections are opened against a ${LIMIT}-descriptor limit`, { timeout: 120_000 }, async (t) => {
    const fake = await h.fakeLlm();
    const gw = await h.launch({ token: TOKEN, config: llmConfig(fake), nofile: LIMIT });
    assert.equal(nofileLimit(gw.pid), LIMIT, "the gateway runs under the descriptor limit");
    fds = sampler(() => fdCount(gw.pid));
    const baseline = fdCount(gw.pid);
    report(t, `descriptors in use before the flood: ${baseline}`);

    attack = flood(gw.port, FLOOD);
    await attack.settled(30_000);
    report(
      t,
      `flood: ${attack.connected} connected, ${attack.failed} never connected, ${attack.closedByServer} closed by the gateway so far, peak held open ${attack.peakOpen}; gateway descriptors peak ${fds.peak}`,
    );
    assert.equal(gw.exited, null, `the gateway died during the flood: ${JSON.stringify(gw.exited)} ${gw.stderr.slice(-500)}`);

    // While the attacker still holds its connections:
    const health = await pollStatus(gw.port, "/healthz", 200, 20_000).catch((e: Error) => e);
    report(t, `GET /healthz during the flood: ${health instanceof Error ? health.message : health.status}`);
    const o = await tryConnect(h, gw.port, { token: TOKEN, timeoutMs: 20_000 }).catch((e: Error) => e);
    const outcome = o instanceof Error ? o.message : describeOutcome(o);
    const reply = !(o instanceof Error) && o.kind === "res" && o.res.ok ? await chat(o.peer, "flood-check", "still there?") : null;
    report(
      t,
      `owner during the flood: ${outcome}; chat: ${reply ? `${reply.end?.payload?.state ?? "no end event"} ${reply.end?.payload?.errorMessage ?? textOf(reply.end?.payload?.message)}` : "not sent"}`,
    );
    report(
      t,
      `open connections the attacker still held: ${attack.connected - attack.closedByServer}; gateway descriptors peak ${fds.peak}`,
    );
    assert.equal(gw.exited, null, `the gateway died: ${JSON.stringify(gw.exited)}`);
    assert.ok(!(health instanceof Error), `/healthz during the flood: ${health instanceof Error ? health.message : ""}`);
    assert.ok(!(o instanceof Error) && o.kind === "res" && o.res.ok, `the owner connects during the flood: ${outcome}`);
    assert.equal(reply?.end?.payload?.state, "final", `chat during the flood: ${JSON.stringify(reply?.end?.payload ?? reply?.res)}`);
    assert.equal(textOf(reply.end!.payload.message), "echo: still there?");

    attack.release();
    attack = null;
    const peak = fds.stop();
    report(t, `gateway descriptors in use: peak ${peak} of ${LIMIT}, so at most ${peak - baseline} connections held at once`);
    assert.ok(peak <= LIMIT - HEADROOM, `descriptors in use peaked at ${peak}; must stay at or below ${LIMIT - HEADROOM}`);

    const after = await tryConnect(h, gw.port, { token: TOKEN });
    assert.ok(after.kind === "res" && after.res.ok, `a new client after the flood: ${describeOutcome(after)}`);
    assert.equal((await httpRequest(gw.port, { path: "/healthz" })).status, 200);
    assert.equal(gw.exited, null, "alive afterwards");
  });
});

describe("idle sockets are closed by the gateway", { timeout: 60_000, concurrency: true }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("a TCP connection that sends nothing is closed within 20 s", { timeout: 60_000 }, async (t) => {
    const gw = await h.launch({ token: TOKEN });
    const s = net.connect({ host: "127.0.0.1", port: gw.port });
    s.on("error", () => {});
    s.resume();
    await new Promise((r) => s.once("connect", r));
    const ms = await closedWithin(s, 20_000);
    s.destroy();
    report(t, ms === null ? "still open after 20 s" : `closed by the gateway after ${ms} ms`);
    assert.notEqual(ms, null, "the gateway closes a silent connection");
  });

  it("a partial HTTP request head (slowloris) is closed within 20 s", { timeout: 60_000 }, async (t) => {
    const gw = await h.launch({ token: TOKEN });
    const s = net.connect({ host: "127.0.0.1", port: gw.port });
    s.on("error", () => {});
    let answer = "";
    s.on("data", (d) => (answer += d));
    await new Promise((r) => s.once("connect", r));
    s.write(`GET / HTTP/1.1\r\nHost: ${gw.host}\r\nX-Slow: `);
    const ms = await closedWithin(s, 20_000);
    s.destroy();
    report(t, ms === null ? "still open after 20 s" : `closed by the gateway after ${ms} ms (${answer.split("\r\n")[0] || "no answer"})`);
    assert.notEqual(ms, null, "the gateway closes a connection that never finishes its request head");
  });

  it("a WebSocket that never sends connect is closed within 20 s", { timeout: 60_000 }, async (t) => {
    const gw = await h.launch({ token: TOKEN });
    const p = await Peer.open(gw.port);
    assert.ok(p instanceof Peer, "upgraded");
    h.track(p);
    const ms = await closedWithin(p, 20_000);
    report(t, ms === null ? "still open after 20 s" : `closed by the gateway after ${ms} ms (${p.closeInfo?.code} ${p.closeInfo?.reason})`);
    assert.notEqual(ms, null, "the gateway closes a WebSocket without a handshake");
  });
});
