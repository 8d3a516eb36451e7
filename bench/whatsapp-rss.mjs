#!/usr/bin/env node
// The resident memory a connected WhatsApp account adds to a gateway: Baileys (with its protobufs and
// Signal code) loaded and one linked account connected to the fake socket of test/fakes/whatsapp.ts.
// Runs two fresh processes, one gateway without channels and one with the account, and prints both.
//
//   node --import tsx bench/whatsapp-rss.mjs
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root, sleep } from "./lib.mjs";

async function child(withWhatsApp) {
  const { startGateway } = await import(path.join(root, "src/gateway/start.ts"));
  const { startWhatsAppFake } = await import(path.join(root, "test/fakes/whatsapp.ts"));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-rss-"));
  const wa = startWhatsAppFake();
  const extra = withWhatsApp ? wa.gatewayOptions(stateDir) : { channels: {}, channelFactories: {} };
  fs.writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify({ gateway: { mode: "local" }, channels: extra.channels }));
  const env = { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir };
  const gw = await startGateway({
    allowUnconfigured: true,
    port: 0,
    env,
    cwd: stateDir,
    stdout: () => {},
    stderr: () => {},
    channelFactories: extra.channelFactories,
  });
  if (withWhatsApp) while (!wa.current?.user) await sleep(10);
  await sleep(3000);
  globalThis.gc?.();
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  await gw.close();
  wa.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ rssMb }) + "\n");
  process.exit(0);
}

const mode = process.argv[2];
if (mode === "--child") await child(process.argv[3] === "whatsapp");
else {
  const run = (which) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", new URL(import.meta.url).pathname, "--child", which], {
      cwd: root,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`${which} run failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").at(-1)).rssMb;
  };
  const base = run("none");
  const wa = run("whatsapp");
  console.log(`gateway without channels: ${base.toFixed(1)} MB RSS`);
  console.log(`with one WhatsApp account connected: ${wa.toFixed(1)} MB RSS (+${(wa - base).toFixed(1)} MB)`);
}
