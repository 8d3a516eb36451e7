#!/usr/bin/env node
// The resident memory one WhatsApp account adds to the built gateway once Baileys is loaded: a gateway
// without channels beside one with a linked account (fresh credentials from Baileys' own
// `initAuthCreds`). WhatsApp's servers cannot be faked at the wire (the library checks their
// certificate against a key built into it), so the account here dials them, fails (no network, or a
// refused link) and backs off as it would in production: the figure is the library and one account
// in its reconnect loop, which is what a linked account costs while idle, less its open socket.
//
//   node bench/whatsapp-rss.mjs [--json]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launch, procMb, sleep, targets } from "./lib.mjs";

const IDLE_MS = 12_000;

async function measure(channels) {
  const gw = await launch(targets.ours, { config: { gateway: { mode: "local" }, channels }, bind: "loopback" });
  try {
    if (channels.whatsapp) {
      const end = Date.now() + 30_000;
      while (!/\[whatsapp\]/.test(gw.output())) {
        if (Date.now() > end) throw new Error(`the WhatsApp account never started:\n${gw.output()}`);
        await sleep(20);
      }
    }
    await sleep(IDLE_MS);
    return procMb(gw.child.pid, "VmRSS");
  } finally {
    await gw.stop();
  }
}

const { initAuthCreds, BufferJSON } = await import("@whiskeysockets/baileys");
const authDir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-wa-"));
try {
  const creds = initAuthCreds();
  creds.me = { id: "15550001111:1@s.whatsapp.net", name: "bench" };
  creds.registered = true;
  fs.writeFileSync(path.join(authDir, "creds.json"), JSON.stringify(creds, BufferJSON.replacer));
  const base = await measure({});
  const wa = await measure({ whatsapp: { allowFrom: ["+15550002222"], accounts: { default: { authDir } } } });
  if (process.argv.includes("--json")) console.log(JSON.stringify({ baseMb: base, whatsappMb: wa }));
  else {
    console.log(`built gateway without channels: ${base.toFixed(1)} MB RSS after ${IDLE_MS / 1000} s`);
    console.log(`with one linked WhatsApp account (Baileys loaded): ${wa.toFixed(1)} MB RSS (+${(wa - base).toFixed(1)} MB)`);
  }
} finally {
  fs.rmSync(authDir, { recursive: true, force: true });
}
