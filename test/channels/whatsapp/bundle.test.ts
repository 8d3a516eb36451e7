/**
 * The build bundles Baileys with its protobuf module made lazy (scripts/lazy-waproto.mjs) and with
 * Node-crypto stand-ins for whatsapp-rust-bridge and pino (scripts/shims/). A linked account must not
 * notice: the lazy `proto` encodes, decodes and converts exactly as Baileys' own, lists the same types,
 * and the stand-ins give the bridge's bytes for the same inputs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { proto as original } from "@whiskeysockets/baileys";
import * as bridge from "whatsapp-rust-bridge";
// @ts-expect-error plain JavaScript build helpers
import { lazyWAProto } from "../../../scripts/lazy-waproto.mjs";
// @ts-expect-error plain JavaScript build helpers
import * as shim from "../../../scripts/shims/whatsapp-rust-bridge.mjs";
// @ts-expect-error plain JavaScript build helpers
import pino from "../../../scripts/shims/pino.mjs";
import { tmpDir } from "../../helpers/gateway.js";

const T = { timeout: 60_000 };
const root = path.resolve(import.meta.dirname, "../../..");

describe("the bundled Baileys", () => {
  let dir: string;
  let lazy: typeof original;
  before(async () => {
    dir = tmpDir("oc-wa-bundle-");
    const out = path.join(dir, "waproto.mjs");
    await build({
      absWorkingDir: root,
      stdin: { contents: 'export { proto } from "@whiskeysockets/baileys/WAProto/index.js";', resolveDir: root },
      outfile: out,
      bundle: true,
      format: "esm",
      platform: "node",
      minify: true,
      logLevel: "error",
      plugins: [lazyWAProto()],
      banner: { js: 'import { createRequire as __r } from "node:module"; const require = __r(import.meta.url);' },
    });
    lazy = (await import(pathToFileURL(out).href)).proto;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the lazy proto lists the same types and round-trips messages byte for byte", T, () => {
    assert.deepEqual(Object.keys(lazy), Object.keys(original));
    assert.equal(typeof Object.getOwnPropertyDescriptor(lazy, "SyncActionValue")?.get, "function", "a type is built on first use");
    const msg = {
      key: { remoteJid: "15551234567@s.whatsapp.net", fromMe: false, id: "ABCDEF0123" },
      messageTimestamp: 1767225600,
      pushName: "Ada",
      message: {
        extendedTextMessage: { text: "hello *there*", contextInfo: { stanzaId: "X1", participant: "1555@s.whatsapp.net" } },
        imageMessage: { caption: "a cat", mimetype: "image/jpeg", fileLength: 12345, mediaKey: Buffer.from("k".repeat(32)) },
      },
      status: original.WebMessageInfo.Status.DELIVERY_ACK,
    };
    const a = original.WebMessageInfo.encode(original.WebMessageInfo.fromObject(msg)).finish();
    const b = lazy.WebMessageInfo.encode(lazy.WebMessageInfo.fromObject(msg)).finish();
    assert.deepEqual(Buffer.from(b), Buffer.from(a));
    const back = lazy.WebMessageInfo.decode(a);
    assert.deepEqual(
      lazy.WebMessageInfo.toObject(back, { longs: String }),
      original.WebMessageInfo.toObject(original.WebMessageInfo.decode(a), { longs: String }),
    );
    assert.equal(lazy.Message.ImageMessage.decode(original.Message.ImageMessage.encode({ caption: "c" }).finish()).caption, "c");
    assert.deepEqual({ ...lazy.ClientPayload.UserAgent.Platform }, { ...original.ClientPayload.UserAgent.Platform });
    assert.equal((lazy.ClientPayload.UserAgent.Platform as any)[original.ClientPayload.UserAgent.Platform.IOS], "IOS");
    const hs = { clientHello: { ephemeral: Buffer.alloc(32, 7) } };
    assert.deepEqual(Buffer.from(lazy.HandshakeMessage.encode(hs).finish()), Buffer.from(original.HandshakeMessage.encode(hs).finish()));
    lazy.Message = lazy.Message;
    assert.ok(lazy.Message.create() instanceof lazy.Message, "a type stays the same object once built");
  });

  it("the stand-in for whatsapp-rust-bridge gives the bridge's bytes", T, () => {
    for (let i = 0; i < 20; i++) {
      const data = crypto.randomBytes(1 + i * 5);
      const salt = crypto.randomBytes(32);
      assert.deepEqual(shim.md5(data), bridge.md5(data));
      assert.deepEqual(
        shim.hkdf(data, 112, { salt, info: "WhatsApp Image Keys" }),
        bridge.hkdf(data, 112, { salt, info: "WhatsApp Image Keys" }),
      );
      assert.deepEqual(
        shim.hkdf(data, 64, { salt: Buffer.alloc(0), info: "" }),
        bridge.hkdf(data, 64, { salt: Buffer.alloc(0), info: "" }),
      );
      assert.deepEqual(shim.hkdf(data, 32, { info: "adv_secret" }), bridge.hkdf(data, 32, { info: "adv_secret" }));
      const keys = bridge.expandAppStateKeys(data);
      const mine = shim.expandAppStateKeys(data);
      for (const k of ["indexKey", "valueEncryptionKey", "valueMacKey", "snapshotMacKey", "patchMacKey"] as const)
        assert.deepEqual(mine[k], keys[k]);
      const base = crypto.randomBytes(128);
      const sub = [crypto.randomBytes(32), crypto.randomBytes(48)];
      const add = [crypto.randomBytes(32), crypto.randomBytes(7), crypto.randomBytes(90)];
      assert.deepEqual(
        new shim.LTHashAntiTampering().subtractThenAdd(base, sub, add),
        new bridge.LTHashAntiTampering().subtractThenAdd(base, sub, add),
      );
    }
  });

  it("the stand-in for pino logs JSON lines from its level up, with a child's bindings", T, () => {
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (lines.push(s), true)) as typeof process.stdout.write;
    try {
      const log = pino({ level: "warn" }).child({ class: "baileys" });
      log.info("not shown");
      log.warn({ jid: "x" }, "shown");
      assert.equal(log.level, "warn");
    } finally {
      process.stdout.write = write;
    }
    assert.equal(lines.length, 1);
    assert.deepEqual({ ...JSON.parse(lines[0]!), time: 0 }, { level: 40, time: 0, class: "baileys", jid: "x", msg: "shown" });
  });
});
