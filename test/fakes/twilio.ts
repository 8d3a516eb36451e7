/**
 * A fake Twilio REST API on 127.0.0.1 (port 0): it records every `Calls.json` create and every
 * `Calls/{sid}.json` update with its form fields, checks HTTP Basic auth, and can call a webhook
 * back the way Twilio does (form post signed with `X-Twilio-Signature`).
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http.js";

export interface RecordedCall {
  sid: string;
  form: URLSearchParams;
}

/** Twilio's signature: base64 HMAC-SHA1(auth token, URL + each field's name and value, names sorted). */
export function signTwilio(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join("");
  return crypto.createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

export interface WebhookAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Posts `params` to `url` as Twilio would, signed with `authToken` (or with `signature` when given). */
export async function twilioWebhook(
  url: string,
  params: Record<string, string>,
  authToken: string,
  opts: { signature?: string | null } = {},
): Promise<WebhookAnswer> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const signature = opts.signature === undefined ? signTwilio(authToken, url, params) : opts.signature;
  if (signature !== null) headers["x-twilio-signature"] = signature;
  const res = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: await res.text() };
}

export class FakeTwilio {
  readonly creates: RecordedCall[] = [];
  readonly updates: RecordedCall[] = [];
  private listeners: Array<() => void> = [];

  private constructor(
    private readonly server: http.Server,
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  /**
   * The config's `plugins` block that enables voice calls through this fake, calling from
   * +15550001111; `config` adds to (or overrides) the plugin's settings.
   */
  plugins(config: Record<string, unknown> = {}) {
    return {
      entries: {
        "voice-call": {
          enabled: true,
          config: {
            provider: "twilio",
            fromNumber: "+15550001111",
            twilio: { accountSid: this.accountSid, authToken: this.authToken, apiBaseUrl: this.url },
            ...config,
          },
        },
      },
    };
  }

  static async start(accountSid = "AC0123456789abcdef0123456789abcdef", authToken = "fake-auth-token"): Promise<FakeTwilio> {
    let fake!: FakeTwilio;
    const server = http.createServer((req, res) => void fake.handle(req, res));
    fake = new FakeTwilio(server, accountSid, authToken);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `n` creates have been recorded. */
  waitForCreates(n: number, timeoutMs = 5000): Promise<RecordedCall[]> {
    return this.until(() => this.creates.length >= n, timeoutMs, `${n} call create(s)`).then(() => this.creates);
  }

  waitForUpdates(n: number, timeoutMs = 5000): Promise<RecordedCall[]> {
    return this.until(() => this.updates.length >= n, timeoutMs, `${n} call update(s)`).then(() => this.updates);
  }

  private until(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fake Twilio: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (!ok()) return;
        clearTimeout(t);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = (await readBody(req)).toString("utf8");
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString("base64")}`;
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== expected) return send(401, { code: 20003, message: "Authenticate", status: 401 });
    const base = `/2010-04-01/Accounts/${this.accountSid}/Calls`;
    const path = (req.url ?? "").split("?")[0];
    const form = new URLSearchParams(body);
    if (req.method === "POST" && path === `${base}.json`) {
      const sid = `CA${crypto.randomBytes(16).toString("hex")}`;
      this.creates.push({ sid, form });
      send(201, { sid, status: "queued", to: form.get("To"), from: form.get("From") });
    } else if (req.method === "POST" && path?.startsWith(`${base}/`) && path.endsWith(".json")) {
      const sid = decodeURIComponent(path.slice(base.length + 1, -".json".length));
      this.updates.push({ sid, form });
      send(200, { sid, status: form.get("Status") ?? "in-progress" });
    } else send(404, { code: 20404, message: "The requested resource was not found", status: 404 });
    for (const l of [...this.listeners]) l();
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}
