/**
 * WhatsApp through the whole gateway: the real adapter and Baileys' auth-state code against the fake
 * socket of test/fakes/whatsapp.ts (why that layer: see its header), the real router and agent
 * runtime, a fake model. Linking from a QR to a connected account, then what the owner, a stranger and
 * a group would see, then a logout from the phone.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { FakeLlm } from "../fakes/llm.js";
import { OWN_JID, OWN_NUMBER, startWhatsAppFake, type WhatsAppFake } from "../fakes/whatsapp.js";
import { connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";

const OWNER = "15557770001";
const STRANGER = "15557770002";
const GROUP = "120363000000000001@g.us";

describe("WhatsApp end to end", { timeout: 60_000 }, () => {
  let llm: FakeLlm;
  let wa: WhatsAppFake;
  let gw: TestGateway;
  const status = async () => {
    const c = await connect(gw.wsUrl);
    try {
      return ((await c.request<any>("channels.status", {})) as any).channelAccounts.whatsapp[0];
    } finally {
      c.close();
    }
  };

  before(async () => {
    llm = await FakeLlm.start("anthropic");
    wa = startWhatsAppFake();
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
        channels: {
          whatsapp: {
            allowFrom: [`+${OWNER}`],
            groupAllowFrom: [`+${OWNER}`],
            groups: { "*": { requireMention: true } },
          },
        },
      },
      env: { ANTHROPIC_API_KEY: "k" },
      channelFactories: { whatsapp: wa.adapterFactory() },
    });
  });
  after(async () => {
    await gw.close();
    wa.close();
    await llm.close();
  });

  it("an unlinked account says how to link it and opens no socket", async () => {
    const s = await status();
    assert.equal(s.configured, false);
    assert.equal(s.running, false);
    assert.match(s.lastError, /not linked: run `openclaw channels login --channel whatsapp`/);
    assert.equal(wa.sockets.length, 0, "no connection to WhatsApp, no QR printed");
  });

  it("links from a QR: web.login.start shows it, the phone scans, 515 restart, then connected without a restart", async () => {
    const c = await connect(gw.wsUrl);
    const start = await c.request<any>("web.login.start", { timeoutMs: 10_000 });
    assert.match(start.qrDataUrl, /^data:image\/png;base64,/);
    assert.match(start.message, /Scan this QR in WhatsApp → Linked Devices/);
    assert.match(start.qr, /^2@fake-qr-/, "the QR text is the one Baileys' connection.update carried");

    const waiting = c.request<any>("web.login.wait", { timeoutMs: 10_000 });
    wa.scan();
    const done = await waiting;
    assert.equal(done.connected, true, JSON.stringify(done));
    assert.match(done.message, new RegExp(`Linked as \\+${OWN_NUMBER}`));
    assert.equal(wa.sockets.length, 2, "one socket for the QR, one fresh after the 515 restart");

    const creds = JSON.parse(fs.readFileSync(path.join(gw.stateDir, "credentials/whatsapp/default/creds.json"), "utf8"));
    assert.equal(creds.me.id, OWN_JID, "credentials saved where OpenClaw keeps them");
    const s = await status();
    assert.equal(s.configured, true);
    assert.equal(s.connected, true);
    assert.equal(s.botName, `+${OWN_NUMBER}`);
    assert.equal(s.lastError, undefined);

    const again = await c.request<any>("web.login.start", {});
    assert.equal(again.qrDataUrl, undefined);
    assert.match(again.message, /already linked \(\+15550001111\)/);
    c.close();
  });

  it("the owner writes: the agent's reply arrives in the chat, read receipt and typing sent", async () => {
    llm.enqueue({ text: "Hello **Olivia**, all good." });
    const n = wa.sent.length;
    const id = wa.inbound({ from: OWNER, text: "hi there" });
    const sent = await wa.waitForSent(n + 1);
    assert.equal(sent[n]!.jid, `${OWNER}@s.whatsapp.net`);
    assert.equal(sent[n]!.text, "Hello *Olivia*, all good.", "markdown bold became WhatsApp bold");
    assert.match(llm.requests.at(-1)!.messages.at(-1)!.text, /^\[WhatsApp \S+ [^\]]*\] hi there$/, "with where and when it was written");
    assert.ok(
      wa.reads.some((k) => k.id === id),
      "marked as read",
    );
    assert.ok(
      wa.presence.some((p) => p.type === "composing" && p.jid === `${OWNER}@s.whatsapp.net`),
      "typing shown",
    );
  });

  it("a stranger gets a pairing code; after approval the agent answers", async () => {
    const n = wa.sent.length;
    const calls = llm.requests.length;
    wa.inbound({ from: STRANGER, text: "hello?" });
    const sent = await wa.waitForSent(n + 1);
    const code = /pairing approve whatsapp ([A-Z2-9]{8})/.exec(sent[n]!.text ?? "")?.[1];
    assert.ok(code, `pairing message: ${sent[n]!.text}`);
    assert.equal(llm.requests.length, calls, "no agent run for a stranger");
    const c = await connect(gw.wsUrl);
    await c.request("pairing.approve", { channel: "whatsapp", code });
    c.close();
    llm.enqueue({ text: "Welcome." });
    wa.inbound({ from: STRANGER, text: "can we talk now?" });
    await wa.waitForSent(n + 2);
    assert.equal(wa.sent[n + 1]!.text, "Welcome.");
    assert.equal(wa.sent[n + 1]!.jid, `${STRANGER}@s.whatsapp.net`);
  });

  it("a group: no reply without a mention, the message kept as context for the mention", async () => {
    const n = wa.sent.length;
    const calls = llm.requests.length;
    wa.inbound({ from: OWNER, group: GROUP, text: "the meeting moved to Tuesday" });
    llm.enqueue({ text: "Tuesday." });
    wa.inbound({ from: OWNER, group: GROUP, text: `@${OWN_NUMBER} when is the meeting?`, mentions: [`${OWN_NUMBER}@s.whatsapp.net`] });
    await wa.waitForSent(n + 1);
    assert.equal(wa.sent.length, n + 1, "one reply, to the mention");
    assert.equal(wa.sent[n]!.jid, GROUP);
    assert.equal(llm.requests.length, calls + 1);
    assert.match(llm.requests.at(-1)!.messages.at(-1)!.text, /the meeting moved to Tuesday[\s\S]*when is the meeting\?/);
    assert.doesNotMatch(llm.requests.at(-1)!.messages.at(-1)!.text, /@15550001111/, "our own mention is removed");
  });

  it("logged out from the phone (401): stops with the reason, no reconnect attempts", async () => {
    const sockets = wa.sockets.length;
    wa.disconnect(401);
    const s = await waitFor(
      async () => {
        const st = await status();
        return st.running === false && st;
      },
      5000,
      "the account to stop",
    );
    assert.match(s.lastError, /logged out from the phone \(401\): run `openclaw channels login --channel whatsapp`/);
    assert.equal(s.connected, false);
    // Give a reconnect (2 s minimum backoff) the chance it must not take.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(wa.sockets.length, sockets, "no new connection after a logout");
  });
});
