/** Secrets are hidden by where they are, never by what they spell; a round trip changes only the edit. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { GatewayRequestError } from "../../src/cli/client.js";
import { connect, startTestGateway, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "redaction-test-token-0123";
const FILE = `// Owner's notes: keep the fallback.
{
  gateway: {
    mode: "local",
    auth: { token: '${TOKEN}' }, // the long one
  },
  models: {
    providers: {
      /* a local proxy with a one-letter key */
      openai: { baseUrl: "http://127.0.0.1:9/v1", api: "openai-completions", apiKey: "k", models: [] },
    },
  },
  agents: { defaults: { model: { primary: "openai/gpt-4o", fallbacks: ["openai/gpt-4o-mini"] } } },
  channels: { discord: { token: "discord-token-value", guilds: { "123": { requireMention: false } } } },
}
`;

describe("config.get and config.set with secrets", { timeout: 30_000 }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ token: TOKEN, config: FILE });
  });
  after(async () => {
    await gw.close();
    fs.rmSync(gw.stateDir, { recursive: true, force: true });
  });

  it("redacts a one-letter secret without touching any other text", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const snap = await c.request<{ raw: string; config: any }>("config.get");
      assert.ok(snap.raw.includes('fallbacks: ["openai/gpt-4o-mini"]'), "unrelated text is intact");
      assert.ok(snap.raw.includes("// Owner's notes: keep the fallback."), "comments are intact");
      assert.ok(snap.raw.includes('apiKey: "__OPENCLAW_REDACTED__"'));
      assert.ok(snap.raw.includes("token: '__OPENCLAW_REDACTED__'"), "the quote style is kept");
      assert.ok(!snap.raw.includes(TOKEN) && !snap.raw.includes("discord-token-value"));
      assert.equal(snap.config.models.providers.openai.apiKey, "__OPENCLAW_REDACTED__");
      assert.deepEqual(snap.config.agents.defaults.model.fallbacks, ["openai/gpt-4o-mini"]);
    } finally {
      c.close();
    }
  });

  it("a config.get → edit → config.set round trip changes exactly the edited bytes", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const file = path.join(gw.stateDir, "openclaw.json");
      const before = fs.readFileSync(file, "utf8");
      const snap = await c.request<{ raw: string; hash: string }>("config.get");
      const edited = snap.raw.replace("requireMention: false", "requireMention: true");
      assert.notEqual(edited, snap.raw);
      await c.request("config.set", { raw: edited, baseHash: snap.hash });
      assert.equal(fs.readFileSync(file, "utf8"), before.replace("requireMention: false", "requireMention: true"));
      const again = await c.request<{ config: any }>("config.get");
      assert.equal(again.config.channels.discord.guilds["123"].requireMention, true);
    } finally {
      c.close();
    }
  });

  it("refuses the placeholder where no secret is stored, naming the path", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const snap = await c.request<{ raw: string; hash: string }>("config.get");
      const edited = snap.raw
        .replace('mode: "local",', 'mode: "local", auth2: 1,')
        .replace("channels: {", 'channels: { telegram: { botToken: "__OPENCLAW_REDACTED__" },');
      await assert.rejects(c.request("config.set", { raw: edited.replace(" auth2: 1,", ""), baseHash: snap.hash }), (e: Error) => {
        assert.equal((e as GatewayRequestError).error.code, "INVALID_REQUEST");
        assert.match(e.message, /channels\.telegram\.botToken: holds the placeholder/);
        return true;
      });
    } finally {
      c.close();
    }
  });
});
