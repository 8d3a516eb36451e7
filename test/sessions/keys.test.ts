import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chatTypeOf, parseSessionKey, sessionKeyFor } from "../../src/sessions/keys.js";

describe("session keys", () => {
  it("parses every accepted form into the canonical agent:<id>:<rest>", () => {
    assert.deepEqual(parseSessionKey("main", "main"), { agentId: "main", rest: "main", canonical: "agent:main:main" });
    assert.equal(parseSessionKey("agent:Work:telegram:dm:42", "main").canonical, "agent:work:telegram:dm:42");
    assert.equal(parseSessionKey("discord:group:123", "ops").canonical, "agent:ops:discord:group:123");
  });

  it("follows session.dmScope for direct messages and isolates groups and channels", () => {
    const dm = { agentId: "main", channel: "telegram", accountId: "bot2", kind: "dm" as const, id: "555" };
    assert.equal(sessionKeyFor(dm, "main"), "agent:main:main");
    assert.equal(sessionKeyFor(dm, "per-peer"), "agent:main:dm:555");
    assert.equal(sessionKeyFor(dm, "per-channel-peer"), "agent:main:telegram:dm:555");
    assert.equal(sessionKeyFor(dm, "per-account-channel-peer"), "agent:main:telegram:bot2:dm:555");
    assert.equal(sessionKeyFor({ ...dm, accountId: undefined }, "per-account-channel-peer"), "agent:main:telegram:default:dm:555");
    assert.equal(sessionKeyFor({ ...dm, kind: "group", id: "-100" }), "agent:main:telegram:group:-100");
    assert.equal(sessionKeyFor({ ...dm, channel: "discord", kind: "channel", id: "99" }), "agent:main:discord:channel:99");
    assert.equal(chatTypeOf("agent:main:discord:channel:99"), "room");
    assert.equal(chatTypeOf("agent:main:telegram:group:-100"), "group");
    assert.equal(chatTypeOf("agent:main:main"), "direct");
  });
});
