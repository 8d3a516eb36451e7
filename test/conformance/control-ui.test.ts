/**
 * The original openclaw@2026.1.29 Control UI (its package's dist/control-ui, served as static files
 * from another port) in Debian's Chromium against this gateway: it is pointed at the gateway the way
 * its settings do it (`gatewayUrl` in its saved settings), then a person signs in with the token and
 * uses the pages. Every page must render without page errors, console errors, or an error answer to
 * a method this gateway lists in its hello-ok.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { chatClient } from "../helpers/agents.js";
import { CHROMIUM, MODEL, REF_CONTROL_UI, TOKEN, startConformanceGateway, uiSkip, type ConformanceGateway } from "./reference.js";

const skip = uiSkip;
const timeout = 90_000;
/** Where screenshots go when CONFORMANCE_SHOTS names a folder (for looking at the pages). */
const SHOTS = process.env.CONFORMANCE_SHOTS;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

/** Serves the original's Control UI files; any other path gets index.html (the UI routes by path). */
async function serveControlUi(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = path.normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    let file = path.join(REF_CONTROL_UI, rel);
    if (!file.startsWith(REF_CONTROL_UI + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      file = path.join(REF_CONTROL_UI, "index.html");
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface UiPage {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors. */
  errors: string[];
  /** Every method the UI called, with the error it got (if any). */
  calls: Array<{ method: string; at: number; bytes: number; error?: { code?: string; message?: string } }>;
}

describe("original Control UI against this gateway", () => {
  let c: ConformanceGateway;
  let ui: { url: string; close(): Promise<void> };
  let browser: Browser;
  let listed: string[] = [];

  before(
    async () => {
      if (skip) return;
      [c, ui, browser] = await Promise.all([
        startConformanceGateway(),
        serveControlUi(),
        chromium.launch({
          executablePath: CHROMIUM,
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
          ],
        }),
      ]);
      const { client, send } = await chatClient(c.gw, { token: TOKEN });
      try {
        listed = ((client.hello?.features as { methods?: string[] } | undefined)?.methods ?? []).slice();
        const r = await send("warm up");
        assert.equal(r.state, "final", r.errorMessage);
      } finally {
        client.close();
      }
    },
    { timeout },
  );
  after(
    async () => {
      await browser?.close();
      await ui?.close();
      await c?.close();
    },
    { timeout },
  );

  /**
   * A fresh browser profile whose saved Control UI settings point at the gateway (what the Gateway
   * Access form saves), with the token too unless `signedOut`. Requests to other hosts (its web
   * fonts, a logo) get an empty answer: there is no network here.
   */
  async function open(route: string, opts: { signedOut?: boolean } = {}): Promise<UiPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.route(
      (u) => u.hostname !== "127.0.0.1",
      (r) => r.fulfill({ status: 200, contentType: /\.css|css2/.test(r.request().url()) ? "text/css" : "image/svg+xml", body: "" }),
    );
    const settings = { gatewayUrl: c.gw.wsUrl, ...(opts.signedOut ? {} : { token: TOKEN }) };
    await context.addInitScript((s) => {
      if (!localStorage.getItem("openclaw.control.settings.v1")) localStorage.setItem("openclaw.control.settings.v1", s);
    }, JSON.stringify(settings));
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    const calls: UiPage["calls"] = [];
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console error: ${m.text()}`);
    });
    page.on("websocket", (ws) => {
      const pending = new Map<string, string>();
      ws.on("framesent", (f) => {
        try {
          const frame = JSON.parse(String(f.payload));
          if (frame.type === "req") pending.set(frame.id, frame.method);
        } catch {
          /* not JSON */
        }
      });
      ws.on("framereceived", (f) => {
        try {
          const frame = JSON.parse(String(f.payload));
          if (frame.type === "res" && pending.has(frame.id)) {
            const bytes = String(f.payload).length;
            calls.push({ method: pending.get(frame.id)!, at: Date.now(), bytes, ...(frame.ok ? {} : { error: frame.error }) });
          }
        } catch {
          /* not JSON */
        }
      });
    });
    await page.goto(ui.url + route);
    return { context, page, errors, calls };
  }

  /** No page or console errors, and no error answer to a method this gateway lists. */
  async function finish(p: UiPage, name: string): Promise<void> {
    try {
      if (SHOTS) {
        fs.mkdirSync(SHOTS, { recursive: true });
        await p.page.screenshot({ path: path.join(SHOTS, `${name}.png`), timeout: 5000 }).catch(() => undefined);
      }
      const failed = p.calls.filter((x) => x.error && listed.includes(x.method));
      assert.deepEqual(
        failed.map((x) => `${x.method}: ${x.error?.code} ${x.error?.message}`),
        [],
        "methods this gateway lists answered the Control UI with an error",
      );
      assert.deepEqual(p.errors, [], "page or console errors");
    } finally {
      await p.context.close();
    }
  }

  /** The health pill in the top bar turns from "Offline" to "OK" once the UI is connected (on every page). */
  const connected = (page: Page) => page.waitForFunction(() => /Health\s*OK/.test(document.body.innerText));

  it("signs in with the gateway token and shows the snapshot", { skip, timeout }, async (t) => {
    const p = await open("/overview", { signedOut: true });
    const { page } = p;
    try {
      await page
        .getByText(/gateway token missing/)
        .first()
        .waitFor();
      await page.getByPlaceholder("OPENCLAW_GATEWAY_TOKEN").fill(TOKEN);
      await page.getByRole("button", { name: "Connect" }).click();
      await page.getByText("Connected", { exact: true }).first().waitFor();
      await connected(page);
      // The Sessions card: the count from sessions.list.
      await page.waitForFunction(() => /SESSIONS\s*\n\s*\d+/i.test(document.body.innerText));
      const notListed = [...new Set(p.calls.filter((x) => x.error?.message?.includes("unknown method")).map((x) => x.method))];
      if (notListed.length) t.diagnostic(`methods the Control UI called that this gateway does not list: ${notListed.join(", ")}`);
    } finally {
      await finish(p, "overview");
    }
  });

  it("chat shows the reply while it streams, then the whole reply", { skip, timeout }, async () => {
    const p = await open("/chat");
    const { page } = p;
    try {
      await connected(page);
      const full = "The gateway streams this reply to the browser one piece after another.";
      c.llm.enqueue({ text: full, chunkDelayMs: 600 });
      const box = page.locator("textarea").first();
      await box.fill("stream something");
      await box.press("Enter");
      await page.locator(".chat-bubble", { hasText: "stream something" }).first().waitFor();
      // Part of the reply on screen while the rest is still coming.
      const streaming = page.locator(".chat-bubble.streaming .chat-text");
      await streaming.first().waitFor();
      const partial = (await streaming.first().textContent())?.trim() ?? "";
      assert.ok(
        partial.length > 0 && partial.length < full.length && full.startsWith(partial),
        `partial reply: ${JSON.stringify(partial)}`,
      );
      await page.locator(".chat-bubble:not(.streaming) .chat-text", { hasText: full }).first().waitFor({ timeout: 20_000 });
    } finally {
      await finish(p, "chat");
    }
  });

  it("Sessions lists the session with its kind, tokens of the context window and store", { skip, timeout }, async () => {
    const p = await open("/sessions");
    const { page } = p;
    try {
      await connected(page);
      const row = page.locator("text=/agent:main:main|g-agent-main-main/").first();
      await row.waitFor();
      const body = await page.locator("body").innerText();
      assert.doesNotMatch(body, /Store: undefined/, "sessions.list path (shown as Store)");
      assert.match(body, /\bdirect\b/, "the session's kind (sessions.list sessions[].kind)");
      assert.match(body, new RegExp(`\\d+ / ${MODEL.contextWindow}\\b`), "tokens of the model's context window (sessions[].contextTokens)");
    } finally {
      await finish(p, "sessions");
    }
  });

  it("Channels shows the Telegram account running", { skip, timeout }, async () => {
    const p = await open("/channels");
    const { page } = p;
    try {
      await connected(page);
      const card = page.locator(".card", { hasText: "Telegram" }).first();
      await card.waitFor();
      await card
        .getByText(/Running/)
        .first()
        .waitFor();
      const text = await card.innerText();
      assert.match(text, /Running\s*Yes/, text);
      assert.match(text, /Configured\s*Yes/, text);
    } finally {
      await finish(p, "channels");
    }
  });

  it("Config renders its form within 5 s", { skip, timeout }, async () => {
    const p = await open("/config");
    const { page } = p;
    try {
      const schemaAnswer = async () => {
        const deadline = Date.now() + 10_000;
        while (!p.calls.some((x) => x.method === "config.schema")) {
          if (Date.now() > deadline) throw new Error("the Config page never got an answer to config.schema");
          await new Promise((r) => setTimeout(r, 50));
        }
        return p.calls.find((x) => x.method === "config.schema")!;
      };
      const answer = await schemaAnswer();
      // From the schema's arrival: the form's section list, a field of the gateway section, the Raw switch.
      const rendered = Promise.all([
        page.getByText("All Settings").first().waitFor({ timeout: 5000 }),
        page.getByText("Raw", { exact: true }).first().waitFor({ timeout: 5000 }),
        page.waitForFunction(() => /\bGateway\b/.test(document.body.innerText), undefined, { timeout: 5000 }),
      ]);
      await rendered.catch((e: Error) => {
        throw new Error(
          `the config form was not rendered within 5 s of config.schema's answer (${answer.bytes} bytes${answer.error ? `, error ${answer.error.message}` : ""}); ` +
            `the page stayed busy or empty: ${e.message.split("\n")[0]}`,
        );
      });
    } finally {
      await finish(p, "config");
    }
  });

  it("Logs shows the gateway's log lines", { skip, timeout }, async () => {
    const p = await open("/logs");
    const { page } = p;
    try {
      await connected(page);
      await page.getByText(`File: ${path.join(c.stateDir, "logs", "openclaw.log")}`).waitFor();
      await page
        .getByText(/listening on ws:\/\/127\.0\.0\.1/)
        .first()
        .waitFor();
    } finally {
      await finish(p, "logs");
    }
  });

  it("Debug shows the status and health snapshots", { skip, timeout }, async () => {
    const p = await open("/debug");
    const { page } = p;
    try {
      await connected(page);
      await page.getByText("Snapshots").first().waitFor();
      await page
        .getByText(/"defaultAgentId": "main"/)
        .first()
        .waitFor();
      await page.waitForFunction(() => /"heartbeat": \{|Error: /.test(document.body.innerText));
      const body = await page.locator("body").innerText();
      // The page loads status, health, models.list and last-heartbeat together: one failing empties it.
      const shown = /Error: [^\n]*/.exec(body);
      assert.equal(shown, null, `the Debug page shows "${shown?.[0]}"`);
      assert.match(body, /"heartbeat": \{/, "status.heartbeat in the Status snapshot");
      assert.match(body, /"ok": true/, "the Health snapshot");
    } finally {
      await finish(p, "debug");
    }
  });
});
