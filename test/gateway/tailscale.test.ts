/**
 * `gateway.tailscale`: the gateway runs `tailscale serve|funnel` for its own port (a stand-in
 * `tailscale` on the PATH records what it was asked), logs the public URL, resets on exit when asked,
 * and refuses Funnel without password auth.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { connect, startTestGateway, tmpDir, writeConfig } from "../helpers/gateway.js";

const STANDIN = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.TS_ARGV_LOG, JSON.stringify(args) + "\\n");
if (args[0] === "status") {
  process.stdout.write(JSON.stringify({ Self: { DNSName: "box.tail1234.ts.net.", ID: "nTEST" } }));
  process.exit(0);
}
if (process.env.TS_FAIL) {
  process.stderr.write("Funnel is not enabled on your tailnet.\\n");
  process.exit(1);
}
process.exit(0);
`;

function standIn(extra: Record<string, string> = {}) {
  const dir = tmpDir("oc-ts-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "tailscale"), STANDIN, { mode: 0o755 });
  // The stand-in's file uses CommonJS; keep it out of any "type": "module" scope.
  fs.writeFileSync(path.join(bin, "package.json"), '{"type":"commonjs"}');
  const log = path.join(dir, "argv.log");
  const env = { PATH: `${bin}:${path.dirname(process.execPath)}`, TS_ARGV_LOG: log, ...extra };
  const calls = () =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as string[])
      : [];
  return { env, calls };
}

describe("gateway.tailscale", { timeout: 30_000 }, () => {
  it("serve exposes the gateway's port, logs the MagicDNS URL, and resets on exit", async () => {
    const ts = standIn();
    const gw = await startTestGateway({ env: ts.env, config: { gateway: { tailscale: { mode: "serve", resetOnExit: true } } } });
    try {
      assert.deepEqual(ts.calls()[0], ["serve", "--bg", "--yes", String(gw.port)]);
      assert.ok(
        gw.output.some((l) => l.includes("tailscale serve enabled: https://box.tail1234.ts.net/")),
        gw.output.join("\n"),
      );
    } finally {
      await gw.close();
    }
    assert.deepEqual(ts.calls().at(-1), ["serve", "reset"]);
  });

  it("without resetOnExit the serve configuration stays after the gateway stops", async () => {
    const ts = standIn();
    const gw = await startTestGateway({ env: ts.env, config: { gateway: { tailscale: { mode: "serve" } } } });
    await gw.close();
    assert.ok(!ts.calls().some((c) => c.includes("reset")), JSON.stringify(ts.calls()));
  });

  it("funnel without password auth is refused before anything is exposed", async () => {
    const ts = standIn({ OPENCLAW_GATEWAY_TOKEN: "t0ken" });
    await assert.rejects(
      startTestGateway({ env: ts.env, config: { gateway: { tailscale: { mode: "funnel" } } } }),
      /tailscale\.mode "funnel" makes the gateway public and needs password auth\. Set gateway\.auth\.mode to "password"/,
    );
    assert.deepEqual(ts.calls(), []);
  });

  it("funnel with a password runs tailscale funnel for the port", async () => {
    const ts = standIn();
    const gw = await startTestGateway({
      env: ts.env,
      config: { gateway: { auth: { mode: "password", password: "s3cret" }, tailscale: { mode: "funnel", resetOnExit: true } } },
    });
    try {
      assert.deepEqual(ts.calls()[0], ["funnel", "--bg", "--yes", String(gw.port)]);
      assert.ok(gw.output.some((l) => l.includes("tailscale funnel enabled: https://box.tail1234.ts.net/")));
    } finally {
      await gw.close();
    }
    assert.deepEqual(ts.calls().at(-1), ["funnel", "reset"]);
  });

  it("a reload that would drop the password while Funnel is on is refused, and the password still holds", async () => {
    const ts = standIn();
    const funnel = { mode: "funnel" as const };
    const gw = await startTestGateway({
      env: ts.env,
      config: { gateway: { auth: { mode: "password", password: "s3cret" }, tailscale: funnel } },
    });
    try {
      writeConfig(gw.stateDir, { gateway: { auth: { mode: "token", token: "t0ken" }, tailscale: funnel } });
      assert.throws(() => gw.ctx.reloadConfig("test"), /tailscale\.mode "funnel" makes the gateway public and needs password auth/);
      const c = await connect(gw.wsUrl, { password: "s3cret" });
      c.close();
      await assert.rejects(connect(gw.wsUrl, { token: "t0ken" }));
    } finally {
      await gw.close();
    }
  });

  it("a failing tailscale is a warning and the gateway keeps running", async () => {
    const ts = standIn({ TS_FAIL: "1" });
    const gw = await startTestGateway({
      env: ts.env,
      config: { gateway: { auth: { mode: "password", password: "s3cret" }, tailscale: { mode: "funnel" } } },
    });
    try {
      const warning = gw.output.find((l) => l.includes("tailscale funnel failed"));
      assert.ok(warning, gw.output.join("\n"));
      assert.match(warning, /Funnel is not enabled/);
      const res = await fetch(`${gw.httpUrl}/healthz`);
      assert.equal(res.status, 200);
    } finally {
      await gw.close();
    }
  });

  it("a missing tailscale binary is a warning that says how to install it", async () => {
    const empty = tmpDir("oc-ts-empty-");
    const gw = await startTestGateway({ env: { PATH: empty }, config: { gateway: { tailscale: { mode: "serve" } } } });
    try {
      assert.ok(
        gw.output.some((l) => l.includes("tailscale serve failed") && l.includes("Install Tailscale")),
        gw.output.join("\n"),
      );
    } finally {
      await gw.close();
    }
  });

  it("serve with the gateway bound beyond loopback is refused", async () => {
    const ts = standIn({ OPENCLAW_GATEWAY_TOKEN: "t0ken" });
    await assert.rejects(
      startTestGateway({ env: ts.env, bind: "lan", config: { gateway: { tailscale: { mode: "serve" } } } }),
      /needs the gateway bound to loopback/,
    );
  });
});
