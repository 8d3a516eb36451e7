/** Access policy, pairing, mention gating, bindings and session keys, through the real router. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeLlm } from "../fakes/llm.js";
import { connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";
import { MemoryChannel } from "../helpers/memory-channel.js";

const alice = { id: "111", username: "alice", name: "Alice" };
const bob = { id: "222", username: "bob", name: "Bob" };

async function gateway(llm: FakeLlm, channels: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const tg = new MemoryChannel("telegram");
  const dc = new MemoryChannel("discord");
  const gw = await startTestGateway({
    config: {
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
      channels,
      ...extra,
    },
    env: { ANTHROPIC_API_KEY: "k", TELEGRAM_BOT_TOKEN: "t", DISCORD_BOT_TOKEN: "d" },
    channelFactories: { telegram: tg.factory, discord: dc.factory },
    // Debug output names every message the router ignores, and why: what proves a message was dropped.
    verbose: true,
  });
  // Adapters start in the background.
  const wanted = Object.keys(channels).map((c) => (c === "telegram" ? tg : dc));
  await waitFor(() => wanted.every((ch) => ch.started), 5000, `${Object.keys(channels).join(" and ")} started`);
  return { gw, tg, dc };
}

/** Waits for the router's line saying it ignored a message from `sender` in `chat` (`dm 111`, `channel c1`). */
function ignored(gw: TestGateway, channel: string, sender: string, chat: string) {
  const line = `${channel}: ignored message from ${sender} in ${chat}: `;
  return waitFor(() => gw.output.some((l) => l.includes(line)), 5000, `"${line}"`);
}

describe("channel router", () => {
  let llm: FakeLlm;
  before(async () => {
    llm = await FakeLlm.start("anthropic");
  });
  after(() => llm.close());

  it("pairing: a stranger gets a code and no agent run; after approval the agent answers", async () => {
    const { gw, tg } = await gateway(llm, { telegram: {} });
    try {
      const before = llm.requests.length;
      tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "hi there" });
      await tg.waitForSent(1);
      const code = /openclaw pairing approve telegram ([A-Z2-9]{8})/.exec(tg.sent[0]!.text)?.[1];
      assert.ok(code, tg.sent[0]!.text);
      assert.doesNotMatch(code!, /[01OI]/);
      assert.equal(llm.requests.length, before, "the agent did not run for a stranger");
      // Writing again while pending does not spam a new code: checked below, once the reply to a later
      // message in the same chat shows that everything said before it was handled.
      tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "hello?" });

      const c = await connect(gw.wsUrl);
      const pending = await c.request<any>("pairing.list", { channel: "telegram" });
      assert.deepEqual(
        pending.requests.map((r: any) => [r.id, r.code, r.meta.username]),
        [["111", code, "alice"]],
      );
      await assert.rejects(c.request("pairing.approve", { channel: "telegram", code: "ZZZZZZZZ" }), /no pending telegram pairing request/);
      await c.request("pairing.approve", { channel: "telegram", code: code!.toLowerCase() });
      tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "now?" });
      await tg.waitForSent(2);
      assert.equal(tg.sent[1]!.text, "echo: now?", "no second code came before this reply");
      assert.equal(tg.sent.length, 2);
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("pairing: at most 3 requests wait per channel", async () => {
    const { gw, tg } = await gateway(llm, { telegram: {} });
    try {
      for (let i = 1; i <= 4; i++)
        tg.receive({ chat: { kind: "dm", id: String(900 + i) }, sender: { id: String(900 + i) }, text: "let me in" });
      await waitFor(
        () => gw.output.some((l) => l.includes("telegram: pairing request from 904 ignored: 3 requests are already waiting")),
        5000,
        "the fourth request to be turned down",
      );
      assert.equal(tg.sent.length, 3, "the fourth stranger gets nothing");
    } finally {
      await gw.close();
    }
  });

  it("allowlist and disabled DM policies; allowFrom matches ids and @usernames", async () => {
    const { gw, tg, dc } = await gateway(llm, {
      telegram: { dmPolicy: "allowlist", allowFrom: ["@alice"] },
      discord: { dm: { policy: "disabled" } },
    });
    try {
      tg.receive({ chat: { kind: "dm", id: "222" }, sender: bob, text: "me too?" });
      tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "allowed" });
      dc.receive({ chat: { kind: "dm", id: "d1" }, sender: alice, text: "discord dm" });
      await tg.waitForSent(1);
      await ignored(gw, "telegram", "222", "dm 222");
      await ignored(gw, "discord", "111", "dm d1");
      assert.deepEqual(
        tg.sent.map((s) => s.text),
        ["echo: allowed"],
      );
      assert.equal(dc.sent.length, 0);
    } finally {
      await gw.close();
    }
  });

  it("the guide's Discord config: #general answers without a mention, other channels and guilds stay silent", async () => {
    const { gw, dc } = await gateway(llm, {
      discord: {
        enabled: true,
        groupPolicy: "allowlist",
        guilds: { G1: { channels: { general: { allow: true } }, requireMention: false } },
      },
    });
    try {
      dc.receive({
        chat: { kind: "channel", id: "c-general", guildId: "G1", channelName: "general" },
        sender: alice,
        text: "hello general",
      });
      dc.receive({
        chat: { kind: "channel", id: "c-random", guildId: "G1", channelName: "random" },
        sender: alice,
        text: "hello random",
        mentioned: true,
      });
      dc.receive({
        chat: { kind: "channel", id: "c-other", guildId: "G2", channelName: "general" },
        sender: alice,
        text: "other guild",
        mentioned: true,
      });
      await dc.waitForSent(1);
      await ignored(gw, "discord", "111", "channel c-random");
      await ignored(gw, "discord", "111", "channel c-other");
      assert.equal(dc.sent.length, 1);
      assert.match(dc.sent[0]!.text, /echo: \[Alice \(@alice\)\]: hello general/);
      assert.equal(dc.sent[0]!.to.chatId, "c-general");
    } finally {
      await gw.close();
    }
  });

  it("requireMention: un-mentioned messages are kept as context and handed over on the next mention", async () => {
    const { gw, dc } = await gateway(llm, { discord: { guilds: { G1: { requireMention: true } } } });
    try {
      const calls = llm.requests.length;
      dc.receive({ chat: { kind: "channel", id: "c1", guildId: "G1", channelName: "chat" }, sender: alice, text: "the deploy is at 5pm" });
      dc.receive({ chat: { kind: "channel", id: "c1", guildId: "G1", channelName: "chat" }, sender: bob, text: "ok noted" });
      // Their answers, had there been any, would come before the answer to the mention below: one
      // conversation runs one turn at a time.
      dc.receive({
        chat: { kind: "channel", id: "c1", guildId: "G1", channelName: "chat" },
        sender: alice,
        text: "when is the deploy?",
        mentioned: true,
      });
      await dc.waitForSent(1);
      assert.equal(dc.sent.length, 1, "not mentioned: not answered");
      assert.equal(llm.requests.length, calls + 1, "one turn, for the mention");
      const asked = llm.requests.at(-1)!.messages.at(-1)!.text;
      assert.match(
        asked,
        /Earlier in this chat[\s\S]*Alice: the deploy is at 5pm[\s\S]*Bob: ok noted[\s\S]*\[Alice \(@alice\)\]: when is the deploy\?/,
      );
      assert.equal(dc.typing.length > 0, true, "typing shown while the agent worked");
    } finally {
      await gw.close();
    }
  });

  it("Telegram groups: groupPolicy allowlist needs groupAllowFrom; groups map and topics pick rules", async () => {
    const { gw, tg } = await gateway(llm, {
      telegram: {
        groupPolicy: "allowlist",
        groupAllowFrom: ["111"],
        groups: { "-100": { requireMention: false, topics: { "7": { requireMention: true } } } },
      },
    });
    try {
      tg.receive({ chat: { kind: "group", id: "-100" }, sender: alice, text: "no mention needed" });
      tg.receive({ chat: { kind: "group", id: "-100" }, sender: bob, text: "bob is not allowed" });
      tg.receive({ chat: { kind: "group", id: "-999" }, sender: alice, text: "unlisted group" });
      tg.receive({ chat: { kind: "group", id: "-100", threadId: "7" }, sender: alice, text: "topic needs a mention" });
      await tg.waitForSent(1);
      await ignored(gw, "telegram", "222", "group -100");
      await ignored(gw, "telegram", "111", "group -999");
      // The topic's un-mentioned message waits as context: a mention there gets the one answer, which
      // would come after an answer to the first (the topic's conversation runs one turn at a time).
      tg.receive({ chat: { kind: "group", id: "-100", threadId: "7" }, sender: alice, text: "and now?", mentioned: true });
      await tg.waitForSent(2);
      assert.equal(tg.sent.length, 2);
      assert.match(tg.sent[0]!.text, /no mention needed/);
      assert.equal(tg.sent[1]!.to.threadId, "7");
      assert.match(tg.sent[1]!.text, /topic needs a mention[\s\S]*and now\?/, "the un-mentioned message came as context, not on its own");
    } finally {
      await gw.close();
    }
  });

  it("a group's tools policy narrows the tools, and a sender's own entry replaces it", async () => {
    const { gw, tg } = await gateway(llm, {
      telegram: {
        groupPolicy: "allowlist",
        groupAllowFrom: ["111", "222"],
        groups: {
          "-300": {
            requireMention: false,
            tools: { deny: ["exec", "gateway", "message"] },
            toolsBySender: { "@alice": { allow: ["read", "message"] } },
          },
        },
      },
    });
    try {
      const first = llm.requests.length;
      tg.receive({ chat: { kind: "group", id: "-300" }, sender: bob, text: "what can you do?" });
      await tg.waitForSent(1);
      const forBob = llm.requests[first]!.toolNames;
      assert.ok(forBob.includes("read") && forBob.includes("web_fetch"), forBob.join(","));
      for (const denied of ["exec", "gateway", "message"]) assert.ok(!forBob.includes(denied), `${denied} denied in the group`);
      tg.receive({ chat: { kind: "group", id: "-300" }, sender: alice, text: "and for me?" });
      await tg.waitForSent(2);
      assert.deepEqual(llm.requests[first + 1]!.toolNames.sort(), ["message", "read"], "alice's own entry, in place of the group's");
    } finally {
      await gw.close();
    }
  });

  it("bindings route conversations to different agents with their own sessions", async () => {
    const { gw, tg, dc } = await gateway(
      llm,
      { telegram: { dmPolicy: "open", allowFrom: ["*"] }, discord: { groupPolicy: "open" } },
      {
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } }, list: [{ id: "main", default: true }, { id: "work" }] },
        bindings: [
          { agentId: "work", match: { channel: "discord" } },
          { agentId: "main", match: { channel: "discord", peer: { kind: "channel", id: "c-home" } } },
        ],
        session: { dmScope: "per-channel-peer" },
      },
    );
    try {
      tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "to main" });
      dc.receive({ chat: { kind: "channel", id: "c-ops", guildId: "G" }, sender: alice, text: "to work", mentioned: true });
      dc.receive({ chat: { kind: "channel", id: "c-home", guildId: "G" }, sender: alice, text: "peer binding wins", mentioned: true });
      await tg.waitForSent(1);
      await dc.waitForSent(2);
      const c = await connect(gw.wsUrl);
      const list = await c.request<any>("sessions.list", {});
      const keys = list.sessions.map((s: any) => s.key).sort();
      assert.deepEqual(keys, ["agent:main:discord:channel:c-home", "agent:main:telegram:dm:111", "agent:work:discord:channel:c-ops"]);
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("chat commands work from a channel, and errors come back as a readable reply", async () => {
    const { gw, tg } = await gateway(llm, { telegram: { dmPolicy: "open", allowFrom: ["*"] } });
    try {
      tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "/status" });
      await tg.waitForSent(1);
      assert.match(tg.sent[0]!.text, /Session: agent:main:main/);
      llm.enqueue({ error: { status: 400, message: "the model refused this request" } });
      tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "break please" });
      await tg.waitForSent(2);
      assert.match(tg.sent[1]!.text, /^Sorry, something went wrong: .*the model refused this request/);
    } finally {
      await gw.close();
    }
  });
});
