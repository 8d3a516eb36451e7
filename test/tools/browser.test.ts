import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createBrowser, type BrowserService } from "../../src/tools/browser/index.js";
import type { ToolContext, ToolResult } from "../../src/tools/registry.js";
import { ToolRegistry } from "../../src/tools/registry.js";
import { cli, spawnGateway, startTestGateway, tmpDir, writeConfig } from "../helpers/gateway.js";
import { KEYS, chatClient, fakeConfig, startFakes } from "../helpers/agents.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const skip = HAVE_CHROMIUM ? false : `Chromium is not installed at ${CHROMIUM}`;

const PAGE = `<!doctype html>
<html><head><title>Lighthouse Log</title></head>
<body>
<h1>Lighthouse Log</h1>
<p id="state">The lamp is dark.</p>
<button onclick="document.getElementById('state').textContent = 'The lamp is lit.'; console.log('lamp lit')">Light the lamp</button>
</body></html>`;

interface Site {
  url: string;
  close(): Promise<void>;
}

async function startSite(): Promise<Site> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/log`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Chromium's profile lock is a symlink to a name that is not a file, so existsSync cannot see it. */
function linked(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

const BROWSER_CONFIG = { executablePath: CHROMIUM, headless: true, noSandbox: true };

function ctx(config: Record<string, unknown>): ToolContext {
  return {
    sessionKey: "agent:main:main",
    agentId: "main",
    workspaceDir: "/nonexistent",
    signal: new AbortController().signal,
    now: Date.now,
    config: config as never,
  };
}

describe("browser tool", { skip }, () => {
  let site: Site;
  let browser: BrowserService;
  let stateDir: string;
  const registry = new ToolRegistry();
  const call = (args: Record<string, unknown>, browserConfig: Record<string, unknown> = BROWSER_CONFIG): Promise<ToolResult> =>
    registry.call("browser", args, ctx({ browser: browserConfig }));

  before(async () => {
    site = await startSite();
    stateDir = tmpDir();
    browser = createBrowser({ stateDir });
    registry.register(browser.tool);
  });
  after(async () => {
    await browser.close();
    await site.close();
  });

  it("answers status before anything is started, without launching", { timeout: 10_000 }, async () => {
    const r = await call({ action: "status" });
    assert.ok(!r.isError, r.text);
    const status = JSON.parse(r.text);
    assert.equal(status.running, false);
    assert.equal(status.detectedExecutablePath, CHROMIUM);
    assert.equal(status.profile, "openclaw");
  });

  it("opens a page, reads it with refs, clicks a ref, takes a screenshot and stops", { timeout: 90_000 }, async () => {
    const started = await call({ action: "start" });
    assert.ok(!started.isError, started.text);
    assert.equal(JSON.parse(started.text).running, true);

    const opened = await call({ action: "open", targetUrl: site.url });
    assert.ok(!opened.isError, opened.text);
    const tab = JSON.parse(opened.text);
    assert.equal(tab.url, site.url);
    assert.equal(tab.title, "Lighthouse Log");
    assert.match(tab.targetId, /^[0-9A-F]+$/);

    const tabs = JSON.parse((await call({ action: "tabs" })).text).tabs;
    assert.ok(
      tabs.some((t: { targetId: string }) => t.targetId === tab.targetId),
      "the new tab is listed",
    );

    const snap = await call({ action: "snapshot", targetId: tab.targetId });
    assert.ok(!snap.isError, snap.text);
    assert.match(snap.text, /heading "Lighthouse Log" \[level=1\] \[ref=e\d+\]/);
    assert.match(snap.text, /The lamp is dark\./);
    const button = /button "Light the lamp" \[ref=(e\d+)\]/.exec(snap.text);
    assert.ok(button, `the button has a ref in:\n${snap.text}`);

    const clicked = await call({ action: "act", targetId: tab.targetId, request: { kind: "click", ref: button[1] } });
    assert.ok(!clicked.isError, clicked.text);
    assert.equal(JSON.parse(clicked.text).ok, true);

    const after = await call({ action: "snapshot", targetId: tab.targetId });
    assert.match(after.text, /The lamp is lit\./);

    const logs = JSON.parse((await call({ action: "console", targetId: tab.targetId })).text);
    assert.ok(
      logs.messages.some((m: { text: string }) => m.text === "lamp lit"),
      "the page's console output is kept",
    );

    const stale = await call({ action: "act", request: { kind: "click", ref: "e999", timeMs: 1 }, timeoutMs: 1000 });
    assert.equal(stale.isError, true);
    assert.match(stale.text, /ref e999 .*take a new snapshot/);

    const shot = await call({ action: "screenshot", targetId: tab.targetId });
    assert.ok(!shot.isError, shot.text);
    const file = (shot.details as { path: string }).path;
    assert.equal(shot.text, `MEDIA:${file}`);
    assert.ok(file.startsWith(path.join(stateDir, "media", "browser")), file);
    const bytes = fs.readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal((shot.details as { bytes: number }).bytes, bytes.length);

    const stopped = await call({ action: "stop" });
    assert.equal(JSON.parse(stopped.text).running, false);
    assert.deepEqual(JSON.parse((await call({ action: "tabs" })).text).tabs, []);
  });

  it("snapshots part of a page, and refuses evaluate when browser.evaluateEnabled is false", { timeout: 60_000 }, async () => {
    await call({ action: "open", targetUrl: site.url });
    const part = await call({ action: "snapshot", selector: "#state" });
    assert.match(part.text, /paragraph \[ref=e\d+\]: The lamp is dark\./);
    assert.doesNotMatch(part.text, /Light the lamp/);
    const nothing = await call({ action: "snapshot", selector: "#nowhere", timeoutMs: 500 });
    assert.equal(nothing.isError, true);
    assert.match(nothing.text, /no element matches selector "#nowhere"/);
    const refused = await call(
      { action: "act", request: { kind: "evaluate", fn: "() => document.title" } },
      {
        ...BROWSER_CONFIG,
        evaluateEnabled: false,
      },
    );
    assert.equal(refused.isError, true);
    assert.match(refused.text, /browser\.evaluateEnabled=false/);
    const ran = await call({ action: "act", request: { kind: "evaluate", fn: "() => document.title" } });
    assert.equal(JSON.parse(ran.text).result, "Lighthouse Log");
    await call({ action: "stop" });
  });

  it("refuses URLs other than http, https and about:blank", { timeout: 10_000 }, async () => {
    const r = await call({ action: "open", targetUrl: "file:///etc/passwd" });
    assert.equal(r.isError, true);
    assert.match(r.text, /file: URLs cannot be opened.*only http:\/\/, https:\/\/ and about:blank/);
  });

  it("says which path is missing and which setting to set", { timeout: 10_000 }, async () => {
    const r = await call({ action: "start" }, { executablePath: "/nowhere/chromium" });
    assert.equal(r.isError, true);
    assert.match(r.text, /browser\.executablePath "\/nowhere\/chromium" does not exist; set browser\.executablePath/);

    const none = createBrowser({ stateDir, candidates: ["/nowhere/a", "/nowhere/b"] });
    const reg = new ToolRegistry().register(none.tool);
    const r2 = await reg.call("browser", { action: "start" }, ctx({ browser: {} }));
    assert.equal(r2.isError, true);
    assert.match(r2.text, /No Chromium or Chrome found \(tried \/nowhere\/a, \/nowhere\/b\).*set browser\.executablePath/);
  });

  it("answers actions it does not support clearly", { timeout: 10_000 }, async () => {
    const r = await call({ action: "pdf" });
    assert.equal(r.isError, true);
    assert.match(r.text, /"pdf" is not supported here/);
  });

  it("is not offered when browser.enabled is false", () => {
    const offered = (config: Record<string, unknown>) =>
      browser.tool.available!({ config: config as never, agentId: "main", provider: "anthropic", modelId: "m" });
    assert.equal(offered({ browser: { enabled: false } }), false);
    assert.equal(offered({}), true);
  });
});

describe("browser through the gateway", { skip }, () => {
  it("lets the model read a page's snapshot, and serves browser.request", { timeout: 120_000 }, async () => {
    const site = await startSite();
    const f = await startFakes();
    const gw = await startTestGateway({ config: { ...fakeConfig(f), browser: BROWSER_CONFIG }, env: KEYS });
    try {
      f.anthropic.enqueue(
        { toolCalls: [{ name: "browser", arguments: { action: "open", targetUrl: site.url } }] },
        { toolCalls: [{ name: "browser", arguments: { action: "snapshot" } }] },
        { text: "The lamp is dark." },
      );
      const c = await chatClient(gw);
      const out = await c.send("is the lamp lit?", "agent:main:browse");
      assert.equal(out.text, "The lamp is dark.");
      assert.ok(f.anthropic.requests[0]!.toolNames.includes("browser"), "the model is offered browser");
      const snapshot = f.anthropic.requests[2]!.toolResults.at(-1)!.content;
      assert.match(snapshot, /heading "Lighthouse Log" \[level=1\] \[ref=e\d+\]/);
      assert.match(snapshot, /button "Light the lamp" \[ref=e\d+\]/);

      const status = (await c.client.request("browser.request", { method: "GET", path: "/" })) as { running: boolean };
      assert.equal(status.running, true);
      const tabs = (await c.client.request("browser.request", { method: "GET", path: "/tabs" })) as { tabs: Array<{ url: string }> };
      assert.ok(tabs.tabs.some((t) => t.url === site.url));
      const snap = (await c.client.request("browser.request", { method: "GET", path: "/snapshot", query: { format: "ai" } })) as {
        snapshot: string;
      };
      assert.match(snap.snapshot, /The lamp is dark\./);
      await assert.rejects(
        c.client.request("browser.request", { method: "POST", path: "/pdf" }),
        /browser route POST \/pdf is not supported here/,
      );
      await assert.rejects(c.client.request("browser.request", { method: "PUT", path: "/" }), /method must be GET, POST, or DELETE/);
      await assert.rejects(c.client.request("browser.request", {}), /method and path are required/);
      c.client.close();
      const lock = path.join(gw.stateDir, "browser", "openclaw", "user-data", "SingletonLock");
      assert.ok(linked(lock), "the browser holds its profile while it runs");
      await gw.close();
      assert.ok(!linked(lock), "the browser was shut down cleanly with the gateway");
    } finally {
      await gw.close();
      await f.close();
      await site.close();
    }
  });

  it("is not offered to the model when browser.enabled is false", { timeout: 60_000 }, async () => {
    const f = await startFakes();
    const gw = await startTestGateway({ config: { ...fakeConfig(f), browser: { enabled: false } }, env: KEYS });
    try {
      f.anthropic.enqueue({ text: "No browser here." });
      const c = await chatClient(gw);
      const out = await c.send("open a page", "agent:main:nobrowse");
      assert.equal(out.text, "No browser here.");
      assert.ok(!f.anthropic.requests[0]!.toolNames.includes("browser"), "browser is not offered");
      assert.ok(f.anthropic.requests[0]!.toolNames.includes("read"), "other tools still are");
      await assert.rejects(c.client.request("browser.request", { method: "GET", path: "/" }), /browser control is disabled/);
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });

  it("works in the built gateway too (dist/, playwright-core loaded from node_modules)", { timeout: 120_000 }, async () => {
    const site = await startSite();
    const f = await startFakes();
    const dir = tmpDir();
    writeConfig(dir, { ...fakeConfig(f), browser: BROWSER_CONFIG });
    const env: Record<string, string> = { OPENCLAW_STATE_DIR: dir, HOME: dir, ...KEYS };
    const gw = await spawnGateway(["--port", "0"], env);
    try {
      f.anthropic.enqueue(
        { toolCalls: [{ name: "browser", arguments: { action: "open", targetUrl: site.url } }] },
        { toolCalls: [{ name: "browser", arguments: { action: "snapshot" } }] },
        { text: "Read it." },
      );
      const r = await cli(["agent", "--message", "read the page"], { ...env, OPENCLAW_GATEWAY_PORT: String(gw.port) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(f.anthropic.requests[2]!.toolResults.at(-1)!.content, /button "Light the lamp" \[ref=e\d+\]/);
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.exit;
      await f.close();
      await site.close();
    }
    assert.ok(!linked(path.join(dir, "browser", "openclaw", "user-data", "SingletonLock")), "the browser closed with the gateway");
  });
});
