/**
 * The WhatsApp adapter on its own, against the fake socket (test/fakes/whatsapp.ts explains that
 * layer): credentials on disk (real `useMultiFileAuthState` + our atomic save and backup), reconnects
 * and the give-up rules, linking from the command line without a gateway, and the text forms.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { DisconnectReason } from "@whiskeysockets/baileys";
import { markdownToWhatsApp } from "../../../src/channels/whatsapp/format.js";
import { parseWhatsAppTarget } from "../../../src/channels/whatsapp/targets.js";
import { backoffDelay, DEFAULT_RECONNECT, readLinkedIdentity, writeCredsAtomic } from "../../../src/channels/whatsapp/config.js";
import { whatsappChannel } from "../../../src/channels/whatsapp/plugin.js";
import { loginLocally } from "../../../src/channels/whatsapp/local-login.js";
import type { ChannelAdapter, InboundMessage } from "../../../src/channels/types.js";
import type { Logger } from "../../../src/infra/logger.js";
import { OWN_JID, startWhatsAppFake, type WhatsAppFake } from "../../fakes/whatsapp.js";
import { tmpDir, waitFor } from "../../helpers/gateway.js";

function memoryLog(lines: string[]): Logger {
  const log: Logger = {
    subsystem: "whatsapp",
    trace: () => undefined,
    debug: () => undefined,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
    child: () => log,
  };
  return log;
}

const adapters: ChannelAdapter[] = [];
after(async () => {
  for (const a of adapters) await a.stop();
});

function adapter(wa: WhatsAppFake, stateDir: string, opts: { reconnect?: Partial<typeof DEFAULT_RECONNECT>; config?: object } = {}) {
  const lines: string[] = [];
  const inbound: InboundMessage[] = [];
  const a = wa.adapterFactory({ reconnect: opts.reconnect })({
    accountId: "default",
    config: opts.config ?? {},
    env: { HOME: stateDir },
    log: memoryLog(lines),
    stateDir,
    now: Date.now,
    onInbound: (m) => inbound.push(m),
  });
  adapters.push(a);
  return { a, lines, inbound };
}

const authDir = (stateDir: string) => path.join(stateDir, "credentials", "whatsapp", "default");

describe("WhatsApp credentials", { timeout: 20_000 }, () => {
  it("a torn creds.json is restored from creds.json.bak and the account connects", async () => {
    const stateDir = tmpDir();
    const wa = startWhatsAppFake();
    wa.link(authDir(stateDir));
    // A save keeps the previous good file as the backup; then the file is torn (a crash mid-write).
    writeCredsAtomic(authDir(stateDir), fs.readFileSync(path.join(authDir(stateDir), "creds.json"), "utf8"));
    assert.ok(fs.existsSync(path.join(authDir(stateDir), "creds.json.bak")));
    fs.writeFileSync(path.join(authDir(stateDir), "creds.json"), '{"noiseKey":{"priv');
    const { a, lines } = adapter(wa, stateDir);
    await a.start();
    await waitFor(() => a.status().connected, 5000, "connected");
    assert.equal(a.status().botName, "+15550001111");
    assert.ok(
      lines.some((l) => /restored it from creds\.json\.bak/.test(l)),
      lines.join("\n"),
    );
    assert.equal(JSON.parse(fs.readFileSync(path.join(authDir(stateDir), "creds.json"), "utf8")).me.id, OWN_JID);
    wa.close();
  });

  it("saves creds atomically with a backup, and a failed save is an error in the log, not a crash", async () => {
    const stateDir = tmpDir();
    const wa = startWhatsAppFake();
    wa.link(authDir(stateDir));
    const { a, lines } = adapter(wa, stateDir);
    await a.start();
    await waitFor(() => a.status().connected, 5000, "connected");
    const sock = wa.current!;
    sock.config.auth.creds.me = { id: OWN_JID, name: "Renamed" };
    sock.ev.emit("creds.update", { me: sock.config.auth.creds.me });
    await waitFor(() => readLinkedIdentity(authDir(stateDir))?.name === "Renamed", 5000, "the save");
    assert.equal(JSON.parse(fs.readFileSync(path.join(authDir(stateDir), "creds.json.bak"), "utf8")).me.name, "Owner");
    // The directory becomes unwritable: the save fails, the adapter keeps running.
    fs.rmSync(authDir(stateDir), { recursive: true });
    fs.writeFileSync(authDir(stateDir), "not a directory");
    sock.ev.emit("creds.update", { me: sock.config.auth.creds.me });
    await waitFor(() => lines.some((l) => /^error whatsapp: could not save credentials/.test(l)), 5000, "the error");
    assert.equal(a.status().connected, true);
    wa.close();
  });

  it("doctor's setup check and logout read the same directory", async () => {
    const stateDir = tmpDir();
    const wa = startWhatsAppFake();
    const before = whatsappChannel.setup!({}, "default", {}, stateDir);
    assert.equal(before.ok, false);
    assert.match(before.fix!, /openclaw channels login --channel whatsapp/);
    wa.link(authDir(stateDir));
    const linked = whatsappChannel.setup!({}, "default", {}, stateDir);
    assert.equal(linked.ok, true);
    assert.match(linked.detail, /linked as \+15550001111/);
    assert.equal(await whatsappChannel.logout!({}, "default", {}, stateDir), true);
    assert.equal(fs.existsSync(authDir(stateDir)), false);
  });
});

describe("WhatsApp reconnects", { timeout: 20_000 }, () => {
  it("a dropped connection reconnects with backoff; after maxAttempts it stops with the reason", async () => {
    const stateDir = tmpDir();
    const wa = startWhatsAppFake();
    wa.link(authDir(stateDir));
    const { a } = adapter(wa, stateDir, { reconnect: { initialMs: 20, maxMs: 40, maxAttempts: 2 } });
    await a.start();
    await waitFor(() => a.status().connected, 5000, "connected");
    wa.disconnect(DisconnectReason.connectionLost);
    await waitFor(() => wa.sockets.length === 2 && a.status().connected, 5000, "reconnected");
    assert.equal(a.status().reconnectAttempts, 0);
    // Now every attempt fails: two retries, then it stops.
    wa.nextClose = DisconnectReason.connectionLost;
    wa.disconnect(DisconnectReason.connectionLost);
    await waitFor(() => wa.sockets.length === 3, 5000, "first retry");
    wa.nextClose = DisconnectReason.connectionLost;
    await waitFor(() => !a.status().running, 5000, "give up");
    assert.match(a.status().lastError!, /gave up after 2 reconnect attempts; last: connection closed \(408\)/);
    assert.equal(wa.sockets.length, 4);
  });

  it("403 (banned) stops at once", async () => {
    const stateDir = tmpDir();
    const wa = startWhatsAppFake();
    wa.link(authDir(stateDir));
    const { a } = adapter(wa, stateDir, { reconnect: { initialMs: 10 } });
    await a.start();
    await waitFor(() => a.status().connected, 5000, "connected");
    wa.disconnect(DisconnectReason.forbidden);
    await waitFor(() => !a.status().running, 5000, "stopped");
    assert.match(a.status().lastError!, /403/);
    assert.equal(wa.sockets.length, 1);
  });

  it("the backoff follows web.reconnect's defaults", () => {
    assert.equal(
      backoffDelay(DEFAULT_RECONNECT, 1, () => 0.5),
      2000,
    );
    assert.equal(
      backoffDelay(DEFAULT_RECONNECT, 2, () => 0.5),
      3600,
    );
    assert.equal(
      backoffDelay(DEFAULT_RECONNECT, 20, () => 0.5),
      30000,
    );
    assert.equal(
      backoffDelay(DEFAULT_RECONNECT, 1, () => 0),
      1500,
    );
  });
});

describe("WhatsApp linking without a gateway", { timeout: 20_000 }, () => {
  it("prints the QR from connection.update, survives the 515 restart, and leaves linked credentials", async () => {
    const stateDir = tmpDir();
    const wa = startWhatsAppFake();
    const lines: string[] = [];
    let shown = "";
    const r = await loginLocally({
      accountId: "default",
      config: {},
      env: { HOME: stateDir },
      stateDir,
      timeoutMs: 5000,
      print: (l) => lines.push(l),
      onQr: (qr) => {
        shown = qr;
        wa.scan();
      },
      deps: { makeSocket: wa.makeSocket },
    });
    assert.match(shown, /^2@fake-qr-/);
    assert.equal(r.connected, true, r.message);
    assert.match(r.message, /Linked as \+15550001111/);
    assert.equal(readLinkedIdentity(authDir(stateDir))?.jid, OWN_JID);
    assert.ok(
      wa.sockets.every((s) => s.ended),
      "the sockets are closed once linked",
    );
  });
});

describe("WhatsApp messages", { timeout: 20_000 }, () => {
  async function linked(config: object = {}) {
    const stateDir = tmpDir();
    const wa = startWhatsAppFake();
    wa.link(authDir(stateDir));
    const downloads: string[] = [];
    const lines: string[] = [];
    const inbound: InboundMessage[] = [];
    const a = wa.adapterFactory({
      downloadImage: async (msg, maxBytes, mimeType) => {
        downloads.push(msg.key.id!);
        return { type: "image", data: Buffer.from("png-bytes").toString("base64"), mimeType };
      },
    })({
      accountId: "default",
      config,
      env: { HOME: stateDir },
      log: memoryLog(lines),
      stateDir,
      now: Date.now,
      onInbound: (m) => inbound.push(m),
    });
    adapters.push(a);
    await a.start();
    await waitFor(() => a.status().connected, 5000, "connected");
    return { wa, a, inbound, downloads };
  }

  it("images come in as images, other media as placeholders, quotes as context; status and own messages are skipped", async () => {
    const { wa, inbound, downloads } = await linked();
    const img = wa.inbound({ from: "15557770001", text: "look", image: true });
    await waitFor(() => inbound.length === 1, 5000, "the image message");
    assert.deepEqual(downloads, [img]);
    assert.equal(inbound[0]!.text, "look");
    assert.equal(inbound[0]!.images?.[0]?.mimeType, "image/png");
    wa.inbound({ from: "15557770001", text: "status", chat: "status@broadcast" });
    wa.inbound({ from: "15550001111", text: "sent from the phone", fromMe: true, chat: "15557770001@s.whatsapp.net" });
    wa.inbound({ from: "15557770001", text: "yes that one", replyTo: { id: "X1", participant: OWN_JID, text: "which file?" } });
    await waitFor(() => inbound.length === 2, 5000, "the reply");
    assert.equal(inbound[1]!.text, "yes that one\n\n[Replying to +15550001111]\nwhich file?\n[/Replying]");
    assert.equal(inbound[1]!.replyToMessageId, "X1");
    assert.equal(inbound[1]!.sender.id, "+15557770001");
    assert.equal(inbound[1]!.chat.kind, "dm");
    wa.current!.ev.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: "15557770001@s.whatsapp.net", fromMe: false, id: "AUDIO1" },
          message: { audioMessage: { mimetype: "audio/ogg; codecs=opus", seconds: 3 } },
        } as any,
      ],
    });
    await waitFor(() => inbound.length === 3, 5000, "the voice note");
    assert.equal(inbound[2]!.text, "<media:audio>");
    assert.equal(downloads.length, 1, "only images are downloaded");
  });

  it("a group reply to our message counts as a mention", async () => {
    const { wa, inbound } = await linked();
    wa.inbound({ from: "15557770001", group: "1203@g.us", text: "plain" });
    wa.inbound({ from: "15557770001", group: "1203@g.us", text: "and you?", replyTo: { id: "X2", participant: OWN_JID, text: "hi all" } });
    await waitFor(() => inbound.length === 2, 5000, "both");
    assert.deepEqual(
      inbound.map((m) => [m.chat.kind, m.chat.id, m.mentioned]),
      [
        ["group", "1203@g.us", false],
        ["group", "1203@g.us", true],
      ],
    );
  });

  it("self-chat mode answers the owner's own chat but never its own replies", async () => {
    const { wa, a, inbound } = await linked({ selfChatMode: true });
    const self = "15550001111@s.whatsapp.net";
    wa.inbound({ from: "15550001111", text: "note to self", fromMe: true, chat: self });
    await waitFor(() => inbound.length === 1, 5000, "the self message");
    const r = await a.send({ chatId: self }, { text: "noted" });
    wa.inbound({ from: "15550001111", text: "noted", fromMe: true, chat: self });
    // The echo of our reply arrives with the id sendMessage returned: skipped.
    wa.current!.ev.emit("messages.upsert", {
      type: "notify",
      messages: [{ key: { remoteJid: self, fromMe: true, id: r.messageIds[0] }, message: { conversation: "noted" } } as any],
    });
    await waitFor(() => inbound.length === 2, 5000, "the second self message");
    await new Promise((res) => setImmediate(res));
    assert.equal(inbound.length, 2);
  });

  it("sends images with the text as caption, reactions and typing", async () => {
    const { wa, a } = await linked();
    await a.send({ chatId: "+15557770001" }, { text: "a **chart**", images: [{ mimeType: "image/png", data: Buffer.from("x") }] });
    assert.equal(wa.sent.at(-1)!.content.caption, "a *chart*");
    assert.ok(Buffer.isBuffer(wa.sent.at(-1)!.content.image));
    await a.react!({ chatId: "+15557770001" }, "ABC", "👍", false);
    assert.deepEqual(wa.sent.at(-1)!.content.react, {
      text: "👍",
      key: { remoteJid: "15557770001@s.whatsapp.net", id: "ABC", fromMe: false },
    });
    await a.typing({ chatId: "120363000000000001@g.us" });
    assert.deepEqual(wa.presence.at(-1), { type: "composing", jid: "120363000000000001@g.us" });
    const long = "word ".repeat(2000);
    const r = await a.send({ chatId: "+15557770001" }, { text: long });
    assert.equal(r.messageIds.length, 3, "10,000 characters in chunks of at most 4,000");
  });
});

describe("WhatsApp text and targets", () => {
  it("converts markdown to WhatsApp formatting", () => {
    assert.equal(markdownToWhatsApp("**bold** and *it* and ~~gone~~ and `code`"), "*bold* and _it_ and ~gone~ and `code`");
    assert.equal(markdownToWhatsApp("# Title\n- one\n```ts\nconst a = **b**;\n```"), "*Title*\n• one\n```\nconst a = **b**;\n```");
    assert.equal(markdownToWhatsApp("[site](https://x.example)"), "site (https://x.example)");
  });

  it("reads targets in their accepted forms, and names them when one is wrong", () => {
    assert.equal(parseWhatsAppTarget("+1 555 123 4567").chatId, "15551234567@s.whatsapp.net");
    assert.equal(parseWhatsAppTarget("whatsapp:+15551234567").chatId, "15551234567@s.whatsapp.net");
    assert.equal(parseWhatsAppTarget("15551234567@s.whatsapp.net").chatId, "15551234567@s.whatsapp.net");
    assert.equal(parseWhatsAppTarget("120363000000000001@g.us").chatId, "120363000000000001@g.us");
    assert.throws(() => parseWhatsAppTarget("bob"), /unknown WhatsApp target "bob": use \+15551234567/);
  });
});
