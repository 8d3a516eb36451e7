/**
 * What the security suite shares: real gateway processes (optionally under a descriptor limit), a
 * protocol client that can send any headers on the upgrade, raw HTTP with a chosen Host, device
 * identities, figures read from /proc, and tmpfs mounts. Everything one test starts is registered
 * with its `Harness` and torn down by `cleanup()`, which every file calls from `after`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import WebSocket from "ws";
import { FakeLlm } from "../fakes/llm.js";
import { ENTRY, ROOT, tmpDir, waitFor, writeConfig } from "../helpers/gateway.js";
import { base64UrlEncode, buildDeviceAuthPayload, deviceIdFromPublicKey } from "../../src/gateway/protocol/device.js";

export const TOKEN = "security-suite-token-7f3a9c1e5b2d4860";
export const OPENAI_KEY = "key-openai-security";

// ---------------------------------------------------------------------------------------------
// Gateway processes

export interface LaunchOptions {
  /** Written to `openclaw.json` (a string is written as is). */
  config?: unknown;
  /** `OPENCLAW_GATEWAY_TOKEN`; none means auth mode none. */
  token?: string;
  env?: Record<string, string>;
  stateDir?: string;
  /** Runs the gateway under `prlimit --nofile=N:N`. */
  nofile?: number;
  /** Default: `--allow-unconfigured --port 0` (loopback bind). */
  args?: string[];
  /** Bound for the `listening on` line. */
  timeoutMs?: number;
  /**
   * Runs the gateway in a network namespace of its own whose loopback also has this address, and
   * relays a unix socket (`Gw.relay`) to it from that address: the gateway's peer is then this
   * address, as behind a proxy on a private network. Needs root.
   */
  peerAddress?: string;
}

export interface Gw {
  proc: ChildProcess;
  pid: number;
  port: number;
  stateDir: string;
  readonly stdout: string;
  readonly stderr: string;
  /** Set once the process has exited. */
  readonly exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `127.0.0.1:PORT`: the Host header a same-machine client sends. */
  host: string;
  httpUrl: string;
  wsUrl: string;
  /** With `peerAddress`: the unix socket that reaches the gateway from that address. */
  relay?: string;
}

/** Pipes every connection on a unix socket to host:port. */
const RELAY = `
const net = require("node:net");
const [sock, host, port] = process.argv.slice(1);
net.createServer((c) => {
  const s = net.connect({ host, port: Number(port) });
  c.pipe(s).pipe(c);
  for (const [a, b] of [[c, s], [s, c]]) { a.on("error", () => b.destroy()); a.on("close", () => b.destroy()); }
}).listen(sock, () => console.log("ready"));
`;

export class Harness {
  private readonly procs = new Set<ChildProcess>();
  private readonly dirs = new Set<string>();
  private readonly mounts: string[] = [];
  private readonly fakes = new Set<FakeLlm>();
  private readonly peers = new Set<{ terminate(): void }>();

  tmp(prefix = "oc-sec-"): string {
    const d = tmpDir(prefix);
    this.dirs.add(d);
    return d;
  }

  async fakeLlm(): Promise<FakeLlm> {
    const f = await FakeLlm.start("openai");
    this.fakes.add(f);
    return f;
  }

  track<T extends { terminate(): void }>(peer: T): T {
    this.peers.add(peer);
    return peer;
  }

  async launch(opts: LaunchOptions = {}): Promise<Gw> {
    const stateDir = opts.stateDir ?? this.tmp();
    if (opts.config !== undefined) writeConfig(stateDir, opts.config);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: stateDir,
      OPENCLAW_STATE_DIR: stateDir,
      OPENAI_API_KEY: OPENAI_KEY,
      ...(opts.token ? { OPENCLAW_GATEWAY_TOKEN: opts.token } : {}),
      ...(opts.env ?? {}),
    };
    const args = [ENTRY, "gateway", ...(opts.args ?? ["--allow-unconfigured", "--port", "0"])];
    let command = [process.execPath, ...args];
    if (opts.nofile) command = ["prlimit", `--nofile=${opts.nofile}:${opts.nofile}`, ...command];
    if (opts.peerAddress) {
      const setup = `ip link set lo up && ip addr add ${opts.peerAddress}/32 dev lo && exec "$@"`;
      command = ["unshare", "--net", "sh", "-c", setup, "sh", ...command];
    }
    const proc = spawn(command[0]!, command.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    this.procs.add(proc);
    let stdout = "";
    let stderr = "";
    let exited: Gw["exited"] = null;
    proc.stdout!.on("data", (d) => (stdout += d));
    proc.stderr!.on("data", (d) => (stderr += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on("exit", (code, signal) => {
        exited = { code, signal };
        this.procs.delete(proc);
        resolve({ code, signal });
      }),
    );
    const m = await waitFor(
      () => {
        if (exited) throw new Error(`gateway exited (${exited.code ?? exited.signal}) before listening:\n${stdout}${stderr}`);
        return /listening on ws:\/\/[^\s]+:(\d+) \(PID (\d+)\)/.exec(stdout);
      },
      opts.timeoutMs ?? 15_000,
      "the gateway to listen",
    );
    const port = Number(m![1]);
    const pid = Number(m![2]);
    const relay = opts.peerAddress ? await this.relay(pid, opts.peerAddress, port) : undefined;
    return {
      relay,
      proc,
      pid,
      port,
      stateDir,
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
      get exited() {
        return exited;
      },
      exit,
      host: `127.0.0.1:${port}`,
      httpUrl: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}`,
    };
  }

  /** A unix socket in this process's namespace that connects to address:port inside the network namespace of `pid`. */
  private async relay(pid: number, address: string, port: number): Promise<string> {
    const sock = path.join(this.tmp("oc-sec-relay-"), "gateway.sock");
    const proc = spawn("nsenter", [`--net=/proc/${pid}/ns/net`, process.execPath, "-e", RELAY, sock, address, String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.procs.add(proc);
    proc.on("exit", () => this.procs.delete(proc));
    let out = "";
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (out += d));
    await waitFor(
      () => {
        if (proc.exitCode !== null) throw new Error(`relay exited: ${out}`);
        return out.includes("ready");
      },
      10_000,
      "the relay",
    );
    return sock;
  }

  /** Mounts a tmpfs of `size` (e.g. "3m") on `dir`; false when that is not possible here. */
  mountTmpfs(dir: string, size: string): boolean {
    if (process.getuid?.() !== 0) return false;
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
      this.mounts.push(dir);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Makes `dir` read-only for every open from now on: a bind mount of `dir` on itself, remounted
   * read-only. (A plain `remount,ro` of the filesystem is refused while the gateway holds files open
   * for writing; files it already holds open stay writable, new ones fail with EROFS.)
   */
  readOnly(dir: string): boolean {
    if (process.getuid?.() !== 0) return false;
    try {
      execFileSync("mount", ["--bind", dir, dir], { stdio: "pipe" });
      this.mounts.push(dir);
      execFileSync("mount", ["-o", "remount,ro,bind", dir], { stdio: "pipe" });
      return true;
    } catch {
      return false;
    }
  }

  /** Undoes the last mount on `dir`. */
  unmount(dir: string): void {
    const i = this.mounts.lastIndexOf(dir);
    if (i >= 0) this.mounts.splice(i, 1);
    execFileSync("umount", [dir], { stdio: "pipe" });
  }

  async cleanup(): Promise<void> {
    for (const p of this.peers) p.terminate();
    this.peers.clear();
    const exits = [...this.procs].map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once("exit", () => resolve());
          p.kill("SIGKILL");
        }),
    );
    await Promise.all(exits);
    this.procs.clear();
    for (const f of this.fakes) await f.close().catch(() => {});
    this.fakes.clear();
    for (const m of this.mounts.reverse()) {
      try {
        execFileSync("umount", [m], { stdio: "pipe" });
      } catch {
        try {
          execFileSync("umount", ["-l", m], { stdio: "pipe" });
        } catch {
          /* already gone */
        }
      }
    }
    this.mounts.length = 0;
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
    this.dirs.clear();
  }
}

/** Config pointing the `openai` provider at the fake and making it the default model. */
export function llmConfig(fake: FakeLlm, gateway: Record<string, unknown> = {}) {
  return {
    gateway: { mode: "local", ...gateway },
    models: { providers: { openai: { baseUrl: fake.baseUrl, api: "openai-completions", models: [] } } },
    agents: { defaults: { model: { primary: "openai/gpt-4o" } } },
  };
}

export const CHAT_COMPLETIONS_ON = { http: { endpoints: { chatCompletions: { enabled: true } } } };

// ---------------------------------------------------------------------------------------------
// HTTP with any headers

/** Where requests go: a TCP port on 127.0.0.1, or a unix socket relaying to the gateway. */
export type Target = number | string;

function defaultHost(target: Target): string {
  return typeof target === "number" ? `127.0.0.1:${target}` : "gateway.example";
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One request on its own connection; the Host header is exactly `headers.host` when given. */
export function httpRequest(
  port: Target,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...(typeof port === "number" ? { host: "127.0.0.1", port } : { socketPath: port }),
        method: opts.method ?? "GET",
        path: opts.path ?? "/",
        headers: { host: defaultHost(port), ...(opts.headers ?? {}) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: any = undefined;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`no answer to ${opts.method ?? "GET"} ${opts.path ?? "/"}`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Retries `GET path` until it answers with `status`, within `timeoutMs`. */
export async function pollStatus(port: number, pathName: string, status: number, timeoutMs: number, gw?: Gw): Promise<HttpReply> {
  let last: HttpReply | Error | undefined;
  try {
    await waitFor(
      async () => {
        if (gw?.exited) throw new Error("the gateway exited");
        try {
          last = await httpRequest(port, { path: pathName, timeoutMs: 2000 });
        } catch (e) {
          last = e as Error;
        }
        return !(last instanceof Error) && last.status === status;
      },
      timeoutMs,
      `${pathName} to answer ${status}`,
    );
  } catch {
    const seen = last instanceof Error ? last.message : last ? `${last.status} ${last.text.slice(0, 300)}` : "nothing";
    throw new Error(`${pathName} did not answer ${status} within ${timeoutMs} ms (last: ${seen})`);
  }
  return last as HttpReply;
}

// ---------------------------------------------------------------------------------------------
// Protocol client with chosen upgrade headers

export interface ResFrame {
  type: "res";
  id: string;
  ok: boolean;
  payload?: any;
  error?: { code: string; message: string; retryAfterMs?: number; [k: string]: unknown };
}

export interface EventFrame {
  type: "event";
  event: string;
  payload?: any;
}

/** The upgrade was answered with a plain HTTP response instead of 101. */
export interface UpgradeRefused {
  kind: "refused";
  status: number;
  text: string;
  json: any;
}

export class Peer {
  bytes = 0;
  frames = 0;
  readonly events: EventFrame[] = [];
  closeInfo: { code: number; reason: string } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly pending = new Map<string, (f: ResFrame) => void>();
  private readonly eventWaiters = new Set<(e: EventFrame) => void>();
  readonly nonce: Promise<string>;

  private constructor(readonly ws: WebSocket) {
    let gotNonce!: (n: string) => void;
    this.nonce = new Promise((r) => (gotNonce = r));
    ws.on("message", (data: Buffer) => {
      this.bytes += data.length;
      this.frames += 1;
      let f: any;
      try {
        f = JSON.parse(data.toString("utf8"));
      } catch {
        return;
      }
      if (f.type === "event") {
        if (f.event === "connect.challenge") gotNonce(f.payload?.nonce);
        this.events.push(f);
        for (const w of this.eventWaiters) w(f);
      } else if (f.type === "res") {
        const p = this.pending.get(f.id);
        if (p) {
          this.pending.delete(f.id);
          p(f);
        }
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      }),
    );
    ws.on("error", () => {});
  }

  /** Opens a WebSocket to the target with `headers` on the upgrade request (Host included). */
  static open(target: Target, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Peer | UpgradeRefused> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(typeof target === "number" ? `ws://127.0.0.1:${target}/` : `ws+unix://${target}:/`, {
        headers: { host: defaultHost(target), ...headers },
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
      });
      ws.once("unexpected-response", (_req, res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        const done = () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: any = undefined;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ kind: "refused", status: res.statusCode ?? 0, text, json });
          ws.terminate();
        };
        res.on("end", done);
        res.on("error", done);
      });
      ws.once("open", () => resolve(new Peer(ws)));
      ws.once("error", (e) => reject(e));
    });
  }

  send(frame: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Sends a request; resolves with its response, or null when the socket closes first. */
  request(method: string, params?: unknown, timeoutMs = 15_000): Promise<ResFrame | null> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return resolve(null);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no response to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      void this.closed.then(() => {
        if (this.pending.delete(id)) {
          clearTimeout(timer);
          resolve(null);
        }
      });
      this.send({ type: "req", id, method, ...(params !== undefined ? { params } : {}) });
    });
  }

  /** Resolves with the first event (already received or future) matching `pred`. */
  waitEvent(pred: (e: EventFrame) => boolean, timeoutMs: number, what = "event"): Promise<EventFrame> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = (e: EventFrame) => {
        if (!pred(e)) return;
        cleanup();
        resolve(e);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.eventWaiters.delete(w);
      };
      this.eventWaiters.add(w);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export const OPERATOR_SCOPES = ["operator.read", "operator.write"];

export function connectParams(extra: Record<string, unknown> = {}) {
  return {
    minProtocol: 3,
    maxProtocol: 3,
    client: { id: "test", version: "1.0.0", platform: process.platform, mode: "test" },
    role: "operator",
    scopes: OPERATOR_SCOPES,
    ...extra,
  };
}

export type ConnectOutcome =
  | UpgradeRefused
  /** The server answered `connect` (ok or not). */
  | { kind: "res"; res: ResFrame; peer: Peer }
  /** The socket closed before any answer to `connect`. */
  | { kind: "closed"; code: number; reason: string };

export interface ConnectOptions {
  headers?: Record<string, string>;
  token?: string;
  /** Signs the connect with this paired device (its token goes in `auth.token`). */
  device?: Device;
  /** Extra connect params. */
  params?: Record<string, unknown>;
  timeoutMs?: number;
}

/** Upgrade, wait for the challenge, send `connect`; reports whatever the server did. */
export async function tryConnect(h: Harness, target: Target, opts: ConnectOptions = {}): Promise<ConnectOutcome> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const opened = await Peer.open(target, opts.headers, timeoutMs);
  if (!(opened instanceof Peer)) return opened;
  const peer = h.track(opened);
  const nonce = await Promise.race([peer.nonce, peer.closed.then(() => null)]);
  if (nonce === null) return { kind: "closed", ...peer.closeInfo! };
  const token = opts.device?.token ?? opts.token;
  const base = connectParams(opts.params);
  const params = {
    ...base,
    ...(token !== undefined ? { auth: { token } } : {}),
    ...(opts.device ? { device: signDevice(opts.device, base as DeviceSignInput, nonce, token) } : {}),
  };
  const res = await peer.request("connect", params, timeoutMs);
  if (!res) return { kind: "closed", ...peer.closeInfo! };
  return { kind: "res", res, peer };
}

/** One line for a report: what the gateway did with a connect attempt. */
export function describeOutcome(o: ConnectOutcome): string {
  if (o.kind === "refused") return `upgrade refused: HTTP ${o.status} ${o.text.slice(0, 200)}`;
  if (o.kind === "closed") return `socket closed before a connect answer (${o.code} ${o.reason})`;
  return o.res.ok ? "connect accepted (hello-ok)" : `connect refused: ${o.res.error?.code} ${o.res.error?.message}`;
}

/**
 * After a connect attempt, asks for `config.get` and `chat.history` when the socket is still open.
 * Returns which of them were answered with ok:true (a refused client must get neither).
 */
export async function probeSecrets(o: ConnectOutcome): Promise<string[]> {
  if (o.kind !== "res" || !o.peer.open) return [];
  const got: string[] = [];
  const cfg = await o.peer.request("config.get", {}, 5000).catch(() => null);
  if (cfg?.ok) got.push("config.get");
  const hist = await o.peer.request("chat.history", { sessionKey: "main" }, 5000).catch(() => null);
  if (hist?.ok) got.push("chat.history");
  return got;
}

// ---------------------------------------------------------------------------------------------
// Chat

export interface ChatResult {
  /** The `chat.send` response (null when the socket closed before it). */
  res: ResFrame | null;
  /** The terminal `chat` event for the run (final, error, aborted), when one arrived. */
  end: EventFrame | null;
}

/** `chat.send`, then waits for the run's terminal `chat` event (unless the request itself failed). */
export async function chat(peer: Peer, sessionKey: string, message: string, timeoutMs = 20_000): Promise<ChatResult> {
  const runId = randomUUID();
  const ended = peer
    .waitEvent(
      (e) => e.event === "chat" && e.payload?.runId === runId && e.payload?.state !== "delta",
      timeoutMs,
      `the chat event ending ${runId}`,
    )
    .catch(() => null);
  const res = await peer.request("chat.send", { sessionKey, message, idempotencyKey: runId }, timeoutMs);
  if (!res || !res.ok) return { res, end: null };
  const end = await Promise.race([ended, peer.closed.then(() => null)]);
  return { res, end };
}

export function textOf(message: any): string {
  if (!message) return "";
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) return message.content.map((c: any) => (typeof c?.text === "string" ? c.text : "")).join("");
  return "";
}

// ---------------------------------------------------------------------------------------------
// Devices

export interface Device {
  id: string;
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
  privateKey: KeyObject;
  /** The device's operator token (from its pairing). */
  token: string;
}

interface DeviceSignInput {
  client: { id: string; mode: string };
  role: string;
  scopes: string[];
}

export function newDevice(): Device {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ type: "spki", format: "der" }).subarray(-32);
  return { id: deviceIdFromPublicKey(raw), publicKey: base64UrlEncode(raw), privateKey, token: randomUUID().replaceAll("-", "") };
}

function signDevice(d: Device, p: DeviceSignInput, nonce: string, token: string | undefined) {
  const signedAt = Date.now();
  const payload = buildDeviceAuthPayload({
    deviceId: d.id,
    clientId: p.client.id,
    clientMode: p.client.mode,
    role: p.role,
    scopes: p.scopes,
    signedAtMs: signedAt,
    token: token ?? null,
    nonce,
  });
  return {
    id: d.id,
    publicKey: d.publicKey,
    signature: base64UrlEncode(sign(null, Buffer.from(payload, "utf8"), d.privateKey)),
    signedAt,
    nonce,
  };
}

/** Writes `devices/paired.json` in OpenClaw's format with `devices` approved as operators. */
export function writePairedDevices(stateDir: string, devices: Device[]): void {
  const now = Date.now();
  const paired: Record<string, unknown> = {};
  for (const d of devices) {
    paired[d.id] = {
      deviceId: d.id,
      publicKey: d.publicKey,
      displayName: "security-suite device",
      platform: process.platform,
      clientId: "test",
      clientMode: "test",
      role: "operator",
      roles: ["operator"],
      scopes: OPERATOR_SCOPES,
      tokens: { operator: { token: d.token, role: "operator", scopes: OPERATOR_SCOPES, createdAtMs: now } },
      createdAtMs: now,
      approvedAtMs: now,
    };
  }
  fs.mkdirSync(path.join(stateDir, "devices"), { recursive: true });
  fs.writeFileSync(path.join(stateDir, "devices", "paired.json"), JSON.stringify(paired, null, 2));
}

// ---------------------------------------------------------------------------------------------
// Figures from /proc

/** Open descriptors of `pid` (entries of /proc/<pid>/fd), or -1 when it is gone. */
export function fdCount(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** Peak resident set (VmHWM) of `pid` in MB, or -1 when it is gone. */
export function peakRssMb(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : -1;
  } catch {
    return -1;
  }
}

/** The soft limit on open files of `pid`. */
export function nofileLimit(pid: number): number {
  const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/limits`, "utf8"));
  return m ? Number(m[1]) : -1;
}

/** Samples `fn` every `everyMs` until stopped; keeps the peak. */
export function sampler(fn: () => number, everyMs = 20) {
  let peak = fn();
  const timer = setInterval(() => {
    peak = Math.max(peak, fn());
  }, everyMs);
  timer.unref();
  return {
    get peak() {
      return peak;
    },
    stop(): number {
      clearInterval(timer);
      peak = Math.max(peak, fn());
      return peak;
    },
  };
}

/** A pid no process has now. */
export function deadPid(): number {
  for (let pid = 4_100_000; pid > 1000; pid -= 7919) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return pid;
    }
  }
  throw new Error("no free pid found");
}

/** A figure for the report, printed under the test's name. */
export function report(t: { diagnostic(msg: string): void }, msg: string): void {
  t.diagnostic(msg.replace(/\s*\n\s*/g, " ⏎ "));
}
