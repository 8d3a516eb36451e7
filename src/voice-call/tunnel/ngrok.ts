/**
 * `tunnel.provider: "ngrok"`: the voice-call webhook on a public ngrok URL, through the `ngrok`
 * agent binary run as a child process:
 *
 *   ngrok http <port> --log stdout --log-format json [--domain <domain>]
 *
 * Why the binary and not the `@ngrok/ngrok` npm library: that library is a native (napi) addon, a
 * prebuilt per-platform package loaded into the gateway's own process. The gateway loads no native
 * modules and is sized for a 256 MB machine; the binary costs nothing until a tunnel is asked for,
 * runs (and crashes) in its own process, and is added to the image only on request
 * (`--build-arg INSTALL_NGROK=true`). It is also what OpenClaw itself runs.
 *
 * The auth token reaches the child as `NGROK_AUTHTOKEN` in its environment (never on its command line,
 * never written to ngrok's config file). The public URL is read from the JSON log line
 * `{"msg":"started tunnel","url":"https://…"}`. Start-up gives up after 30 s; if ngrok exits later
 * it is started again with a growing delay, and the new URL (free plans get a new one each time) is
 * reported through `onUrlChange`.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface TunnelLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface NgrokOptions {
  port: number;
  /** Webhook path appended to the tunnel's URL. */
  path: string;
  authToken?: string;
  /** Reserved domain (a paid ngrok feature). */
  domain?: string;
  env: Record<string, string | undefined>;
  log: TunnelLog;
  /** The `ngrok` executable; default `ngrok` on the PATH. */
  binPath?: string;
  /** How long to wait for the URL (default 30 s). */
  startupTimeoutMs?: number;
  /** First delay before a restart after an unexpected exit (default 1 s; doubles up to `maxRestartDelayMs`). */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** Called with the full webhook URL when a restarted ngrok comes up on another URL. */
  onUrlChange?(publicUrl: string): void;
}

export interface NgrokTunnel {
  /** Current public webhook URL (`<tunnel url><path>`); null while ngrok is restarting. */
  readonly publicUrl: string | null;
  /** Process id of the running ngrok, if any. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;
/** A log line longer than this is not one ngrok writes; it is dropped. */
const MAX_LINE = 64 * 1024;
/** How much of ngrok's error output is kept for the message. */
const MAX_ERR = 4096;

/** Thrown when ngrok cannot be used; `kind` says why. */
export class NgrokError extends Error {
  constructor(
    readonly kind: "missing" | "auth" | "timeout" | "exited",
    message: string,
  ) {
    super(message);
    this.name = "NgrokError";
  }
}

function missing(bin: string): NgrokError {
  return new NgrokError(
    "missing",
    `ngrok not found (tried "${bin}"). In the Docker image, build it with \`--build-arg INSTALL_NGROK=true\`; elsewhere install ngrok (https://ngrok.com/download) and put it on the PATH.`,
  );
}

const AUTH_FAILURE = /ERR_NGROK_(4018|105|106|107|108|8012)\b|authtoken|authentication failed/i;

/** What ngrok said when it failed, as one line; auth failures say how to fix them. */
function failure(code: number | null, said: string): NgrokError {
  const text = said.replace(/\s+/g, " ").trim().slice(0, 600);
  if (AUTH_FAILURE.test(said)) {
    return new NgrokError(
      "auth",
      `ngrok refused the auth token${text ? `: ${text}` : ""}. Set NGROK_AUTHTOKEN (for example \`fly secrets set NGROK_AUTHTOKEN=...\`) or tunnel.ngrokAuthToken to the token from https://dashboard.ngrok.com/get-started/your-authtoken.`,
    );
  }
  return new NgrokError("exited", `ngrok exited (code ${code ?? "signal"}) before the tunnel started${text ? `: ${text}` : ""}`);
}

export function ngrokArgs(port: number, domain?: string): string[] {
  const args = ["http", String(port), "--log", "stdout", "--log-format", "json"];
  if (domain) args.push("--domain", domain);
  return args;
}

/** One ngrok run: resolves with its tunnel URL, rejects with an {@link NgrokError}. */
function runOnce(opts: NgrokOptions, onExit: (code: number | null) => void): { child: ChildProcess; url: Promise<string> } {
  const bin = opts.binPath ?? "ngrok";
  const env: Record<string, string | undefined> = { ...opts.env };
  if (opts.authToken) env.NGROK_AUTHTOKEN = opts.authToken;
  const child = spawn(bin, ngrokArgs(opts.port, opts.domain), { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  const url = new Promise<string>((resolve, reject) => {
    let done = false;
    let pending = "";
    let errors = "";
    const finish = (err: NgrokError | null, value?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        reject(err);
      } else resolve(value!);
    };
    const waitMs = opts.startupTimeoutMs ?? STARTUP_TIMEOUT_MS;
    const waited = waitMs < 1000 ? `${waitMs} ms` : `${Math.round(waitMs / 1000)} s`;
    const timer = setTimeout(() => {
      const said = errors.replace(/\s+/g, " ").trim().slice(0, 600);
      finish(new NgrokError("timeout", `ngrok did not report a tunnel URL within ${waited}${said ? `: ${said}` : ""}`));
    }, waitMs);
    const line = (text: string) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(text) as Record<string, unknown>;
      } catch {
        if (errors.length < MAX_ERR) errors += `${text}\n`;
        return;
      }
      if (typeof entry.url === "string" && /^https?:\/\//.test(entry.url) && (entry.msg === "started tunnel" || entry.addr)) {
        finish(null, entry.url.replace(/\/+$/, ""));
        return;
      }
      const lvl = String(entry.lvl ?? "");
      if ((lvl === "eror" || lvl === "crit" || lvl === "error") && errors.length < MAX_ERR) {
        errors += `${String(entry.err ?? entry.msg ?? "")}\n`;
        if (AUTH_FAILURE.test(String(entry.err ?? ""))) finish(failure(null, errors));
      }
    };
    child.stdout!.on("data", (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (pending.length > MAX_LINE) pending = "";
      for (const l of lines) if (l.trim()) line(l.trim());
    });
    child.stderr!.on("data", (d: Buffer) => {
      if (errors.length < MAX_ERR) errors += d.toString();
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      finish(e.code === "ENOENT" || e.code === "EACCES" ? missing(bin) : new NgrokError("exited", `could not start ngrok: ${e.message}`));
    });
    child.on("close", (code) => {
      finish(failure(code, errors));
      onExit(code);
    });
  });
  return { child, url };
}

/** Starts ngrok and resolves once the public URL is known; see the module comment. */
export async function startNgrok(opts: NgrokOptions): Promise<NgrokTunnel> {
  const path = opts.path.startsWith("/") ? opts.path : `/${opts.path}`;
  let child: ChildProcess | undefined;
  let publicUrl: string | null = null;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let delay = opts.restartDelayMs ?? 1000;
  const maxDelay = opts.maxRestartDelayMs ?? 60_000;

  const onExit = (run: ChildProcess) => (code: number | null) => {
    if (stopping || run !== child || publicUrl === null) return;
    publicUrl = null;
    opts.log.warn(`ngrok exited unexpectedly (code ${code ?? "signal"}); starting it again in ${Math.round(delay / 1000)} s`);
    scheduleRestart();
  };
  const scheduleRestart = () => {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      const run = runOnce(opts, (code) => onExit(run.child)(code));
      child = run.child;
      run.url.then(
        (url) => {
          if (stopping) return;
          publicUrl = `${url}${path}`;
          delay = opts.restartDelayMs ?? 1000;
          opts.log.info(`ngrok tunnel active again: ${publicUrl}`);
          opts.onUrlChange?.(publicUrl);
        },
        (e: Error) => {
          if (stopping) return;
          opts.log.warn(`ngrok restart failed: ${e.message}; trying again in ${Math.round(delay / 1000)} s`);
          scheduleRestart();
        },
      );
      delay = Math.min(delay * 2, maxDelay);
    }, delay);
    restartTimer.unref();
  };

  const first = runOnce(opts, (code) => onExit(first.child)(code));
  child = first.child;
  publicUrl = `${await first.url}${path}`;
  opts.log.info(`ngrok tunnel active: ${publicUrl}`);

  return {
    get publicUrl() {
      return publicUrl;
    },
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => c.kill("SIGKILL"), 3000);
        c.once("close", () => {
          clearTimeout(kill);
          resolve();
        });
        c.kill("SIGTERM");
      });
    },
  };
}

/** Whether a URL is on ngrok's free-plan domains (signatures there may not match the URL Twilio signed). */
export function isNgrokFreeTierUrl(url: string): boolean {
  return /\.ngrok-free\.(app|dev)(\/|:|$)|\.ngrok\.io(\/|:|$)/.test(url);
}

/**
 * OpenClaw's free-plan compatibility switch: a Twilio webhook whose signature does not verify is
 * still accepted when it comes through a local ngrok agent (loopback) to a loopback-bound webhook, the
 * provider is ngrok, and `tunnel.allowNgrokFreeTierLoopbackBypass` (or the older `allowNgrokFreeTier`)
 * is on. This answers the configuration half; the request half is `isNgrokFreeTierUrl` plus a loopback
 * remote address.
 */
export function ngrokFreeTierBypassAllowed(cfg: {
  tunnel?: { provider?: string; allowNgrokFreeTierLoopbackBypass?: boolean; allowNgrokFreeTier?: boolean };
  serve?: { bind?: string };
}): boolean {
  const bind = cfg.serve?.bind;
  const loopback = bind === "127.0.0.1" || bind === "::1" || bind === "localhost";
  return (
    cfg.tunnel?.provider === "ngrok" && loopback && Boolean(cfg.tunnel.allowNgrokFreeTierLoopbackBypass || cfg.tunnel.allowNgrokFreeTier)
  );
}
