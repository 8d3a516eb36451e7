/** Who may talk to the agent on Signal, as the router decides it from Signal's config keys. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decide } from "../../../src/routing/access.js";
import { normalizeSignalId, signalRules } from "../../../src/channels/signal/rules.js";
import type { InboundMessage } from "../../../src/channels/types.js";
import type { PairingStore } from "../../../src/routing/pairing.js";

const pairing = (approved: string[] = []) => ({ isApproved: (_c: string, id: string) => approved.includes(id) }) as unknown as PairingStore;

function msg(over: Partial<InboundMessage> & { sender: InboundMessage["sender"] }): InboundMessage {
  return {
    channel: "signal",
    accountId: "default",
    messageId: "1700000000001",
    chat: { kind: "dm", id: over.sender.id },
    text: "hi",
    mentioned: true,
    timestamp: 1,
    ...over,
  };
}

const dm = (id: string) => msg({ sender: { id } });
const group = (id: string, mentioned: boolean) => msg({ sender: { id }, chat: { kind: "group", id: "group:abc=" }, mentioned });
const run = (m: InboundMessage, config: Record<string, unknown>, approved?: string[]) =>
  decide(m, { config, sectionPresent: true, pairing: pairing(approved), rules: signalRules }).action;

describe("signal access rules", { timeout: 10_000 }, () => {
  it("reads allowlist entries in every form OpenClaw accepts", () => {
    assert.equal(normalizeSignalId("signal:+1 (555) 123-4567"), "+15551234567");
    assert.equal(normalizeSignalId("0015551234567"), "+15551234567");
    assert.equal(normalizeSignalId("uuid:ABCDEF12-3456-7890-ABCD-EF1234567890"), "uuid:abcdef12-3456-7890-abcd-ef1234567890");
    assert.equal(normalizeSignalId("abcdef12-3456-7890-abcd-ef1234567890"), "uuid:abcdef12-3456-7890-abcd-ef1234567890");
    assert.equal(normalizeSignalId("*"), "*");
  });

  it("DMs: pairing by default, allowlisted numbers and UUIDs pass, paired senders pass", () => {
    assert.equal(run(dm("+15550001111"), {}), "pair");
    assert.equal(run(dm("+15550001111"), { allowFrom: ["signal:+1 555 000 1111"] }), "allow");
    assert.equal(run(dm("uuid:abcdef12-3456-7890-abcd-ef1234567890"), { allowFrom: ["ABCDEF12-3456-7890-ABCD-EF1234567890"] }), "allow");
    assert.equal(run(dm("+15550001111"), {}, ["+15550001111"]), "allow");
    assert.equal(run(dm("+15550001111"), { dmPolicy: "allowlist", allowFrom: ["+15550002222"] }), "drop");
    assert.equal(run(dm("+15550001111"), { dmPolicy: "open", allowFrom: ["*"] }), "allow");
    assert.equal(run(dm("+15550001111"), { dmPolicy: "disabled" }), "drop");
  });

  it("groups: allowlist of senders by default (falling back to allowFrom), mention required, else context", () => {
    assert.equal(run(group("+15550001111", true), {}), "drop", "no groupAllowFrom: nobody");
    assert.equal(run(group("+15550001111", true), { groupAllowFrom: ["+15550001111"] }), "allow");
    assert.equal(run(group("+15550001111", false), { groupAllowFrom: ["+15550001111"] }), "context");
    assert.equal(run(group("+15550001111", true), { allowFrom: ["+15550001111"] }), "allow", "allowFrom stands in");
    assert.equal(run(group("+15550003333", true), { groupAllowFrom: ["+15550001111"] }), "drop");
    assert.equal(run(group("+15550003333", true), { groupPolicy: "open" }), "allow");
    assert.equal(run(group("+15550003333", true), { groupPolicy: "disabled", groupAllowFrom: ["*"] }), "drop");
  });

  it("a group's session peer is its group id", () => {
    assert.equal(signalRules.groupPeerId(group("+1", true)), "abc=");
    assert.equal(signalRules.historyLimit, 50);
  });
});
