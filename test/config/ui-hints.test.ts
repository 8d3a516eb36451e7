/**
 * `config.schema` as config editors get it: the payload has OpenClaw 2026.1.29's shape, its UI hints
 * are about as many and of the same kind as that version's (a hint per section and per hand-edited
 * field, a dozen wildcard keys, every secret flagged), and every hint names a path of the schema sent
 * with it. The reference counts and keys are in test/fixtures/reference/config-ui-hints-2026.1.29.json.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SENSITIVE_KEY_PATTERN } from "../../src/config/schema.js";
import { configUiHints, editorSchema, type JsonSchemaNode, type UiHint } from "../../src/config/ui-hints.js";
import { configJsonSchema } from "../../src/config/json-schema.js";
import { connect, startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { fixture } from "../helpers/fixtures.js";
import { assertMatches } from "../helpers/schema.js";

const TOKEN = "ui-hints-token-4b7e1d";
const timeout = 30_000;

/** What OpenClaw 2026.1.29 sends: hint count, wildcard key count, and per key the properties set. */
const REFERENCE = JSON.parse(fixture("reference/config-ui-hints-2026.1.29.json")) as {
  count: number;
  wildcardKeys: number;
  keys: Record<string, string[]>;
};

const HINT_PROPS: Record<string, string> = {
  label: "string",
  help: "string",
  group: "string",
  order: "number",
  advanced: "boolean",
  sensitive: "boolean",
  placeholder: "string",
};

const isWildcard = (key: string) => key.includes("*") || key.includes("[]");

function variants(node: JsonSchemaNode): JsonSchemaNode[] {
  const out = [node];
  for (const list of [node.anyOf, node.oneOf, node.allOf]) for (const v of list ?? []) out.push(...variants(v));
  return out;
}

/** The schema nodes a hint key names: a name is a property, `*` a map value or list item. */
function resolve(schema: JsonSchemaNode, key: string): JsonSchemaNode[] {
  let nodes = [schema];
  for (const segment of key.split(".")) {
    const next: JsonSchemaNode[] = [];
    for (const node of nodes.flatMap(variants)) {
      if (segment === "*") {
        if (node.additionalProperties && typeof node.additionalProperties === "object") next.push(node.additionalProperties);
        if (node.items && !Array.isArray(node.items)) next.push(node.items);
      } else if (node.properties?.[segment]) next.push(node.properties[segment]);
    }
    nodes = next;
  }
  return nodes;
}

/** Every field path whose key names a secret, reached through properties only. */
function secretFields(schema: JsonSchemaNode): string[] {
  const out = new Set<string>();
  const visit = (node: JsonSchemaNode, prefix: string[]) => {
    for (const v of variants(node))
      for (const [key, child] of Object.entries(v.properties ?? {})) {
        if (SENSITIVE_KEY_PATTERN.test(key)) out.add([...prefix, key].join("."));
        visit(child, [...prefix, key]);
      }
  };
  visit(schema, []);
  return [...out];
}

/** How a form editor picks the hint of a rendered field: the exact key, else a wildcard key of equal length. */
function hintFor(hints: Record<string, UiHint>, path: string): UiHint | undefined {
  if (hints[path]) return hints[path];
  const segments = path.split(".");
  for (const [key, hint] of Object.entries(hints)) {
    const parts = key.split(".");
    if (key.includes("*") && parts.length === segments.length && parts.every((p, i) => p === "*" || p === segments[i])) return hint;
  }
  return undefined;
}

describe("config.schema for editors", () => {
  let gw: TestGateway;
  let res: { schema: JsonSchemaNode; uiHints: Record<string, UiHint>; version: string; generatedAt: string };

  before(
    async () => {
      gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local", auth: { token: TOKEN } } } });
      const c = await connect(gw.wsUrl, { token: TOKEN });
      try {
        res = await c.request<any>("config.schema", {});
      } finally {
        c.close();
      }
    },
    { timeout },
  );
  after(() => gw?.close(), { timeout });

  it("has the published shape: schema, uiHints, version, generatedAt", { timeout }, () => {
    assertMatches("ConfigSchemaResponse", res);
    assert.deepEqual(Object.keys(res).sort(), ["generatedAt", "schema", "uiHints", "version"]);
    assert.equal(res.version, gw.ctx.info.version);
    assert.ok(!Number.isNaN(Date.parse(res.generatedAt)), "generatedAt is an ISO date");
    assert.equal(res.schema.type, "object");
    assert.ok(res.schema.properties?.gateway && res.schema.properties.agents, "the schema describes the file");
  });

  it("every hint sets only label, help, group, order, advanced, sensitive and placeholder", { timeout }, () => {
    for (const [key, hint] of Object.entries(res.uiHints)) {
      assert.ok(Object.keys(hint).length > 0, `${key}: empty hint`);
      for (const [prop, value] of Object.entries(hint)) {
        assert.equal(typeof value, HINT_PROPS[prop], `${key}.${prop}: unexpected property or type`);
      }
    }
  });

  it("holds about as many hints as 2026.1.29 and no more wildcard keys", { timeout }, () => {
    const keys = Object.keys(res.uiHints);
    assert.ok(keys.length <= REFERENCE.count * 1.2, `${keys.length} hints; 2026.1.29 sends ${REFERENCE.count}`);
    // 2026.1.29's count includes three hints per discovered plugin (plugins.entries.<id>); ours has no
    // plugin entries to describe, so the floor is set by the core hints.
    const referenceCore = Object.keys(REFERENCE.keys).filter((k) => !/^plugins\.entries\.(?!\*)/.test(k)).length;
    assert.ok(keys.length >= referenceCore * 0.9, `${keys.length} hints; 2026.1.29 has ${referenceCore} outside plugin entries`);
    const wildcards = keys.filter(isWildcard);
    assert.ok(wildcards.length <= REFERENCE.wildcardKeys, `wildcard keys: ${wildcards.join(", ")}`);
    assert.deepEqual(
      keys.filter((k) => k.includes("[]")),
      [],
      "wildcards are written as *",
    );
  });

  it("every hint key names a path of the schema sent with it", { timeout }, () => {
    const dangling = Object.keys(res.uiHints).filter((key) => resolve(res.schema, key).length === 0);
    assert.deepEqual(dangling, []);
  });

  it("flags every secret field sensitive, and nothing else", { timeout }, () => {
    const secrets = secretFields(res.schema);
    assert.ok(secrets.includes("gateway.auth.token") && secrets.includes("channels.telegram.botToken"));
    for (const path of secrets) assert.equal(res.uiHints[path]?.sensitive, true, `${path} should be sensitive`);
    for (const [key, hint] of Object.entries(res.uiHints)) {
      const secret = SENSITIVE_KEY_PATTERN.test(key.split(".").at(-1)!);
      assert.equal(hint.sensitive === true, secret, `${key}: sensitive should be ${secret}`);
    }
    // A map entry is matched through its wildcard key.
    assert.equal(hintFor(res.uiHints, "models.providers.my-proxy.apiKey")?.sensitive, true);
    // Counters named like tokens are not secrets.
    assert.equal(hintFor(res.uiHints, "agents.defaults.memorySearch.chunking.tokens")?.sensitive, undefined);
  });

  it("labels and explains the fields 2026.1.29 labels and explains", { timeout }, () => {
    const missing: string[] = [];
    for (const [refKey, props] of Object.entries(REFERENCE.keys)) {
      if (/^plugins\.entries\.(?!\*)/.test(refKey)) continue; // per-plugin entries: no plugins to describe
      const key = refKey.replace(/\[\]/g, ".*");
      if (resolve(res.schema, key).length === 0) continue; // sections this gateway's schema does not have
      const ours = res.uiHints[key];
      for (const prop of ["label", "help", "placeholder", "group", "order"]) {
        if (props.includes(prop) && ours?.[prop as keyof UiHint] === undefined) missing.push(`${key}.${prop}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("sections carry a label, their group and an order; a form finds field hints by path", { timeout }, () => {
    for (const section of Object.keys(res.schema.properties ?? {})) {
      const hint = res.uiHints[section];
      assert.ok(hint?.label && hint.group === hint.label && typeof hint.order === "number", `${section}: ${JSON.stringify(hint)}`);
    }
    assert.equal(hintFor(res.uiHints, "gateway.port")?.label, "Port");
    assert.equal(hintFor(res.uiHints, "logging.level")?.label, "Log level");
    assert.equal(hintFor(res.uiHints, "plugins.entries.voice-call.enabled")?.label, "Enabled");
    assert.equal(hintFor(res.uiHints, "plugins.installs.voice-call.source")?.label, "Source");
    assert.equal(hintFor(res.uiHints, "gateway.nosuchfield"), undefined);
  });

  it("describes channels as plugin-owned, with a section per channel", { timeout }, () => {
    const channels = res.schema.properties!.channels!;
    assert.equal(channels.additionalProperties, true, "form editors leave the whole section to the raw editor");
    assert.ok(channels.properties?.telegram?.properties?.botToken, "each channel's own form still has its schema");
    assert.equal(res.uiHints["channels.telegram"]?.label, "Telegram");
    assert.equal(res.uiHints["channels.telegram"]?.help, undefined, "a channel this gateway runs");
    assert.match(res.uiHints["channels.imessage"]?.help ?? "", /does not run iMessage/);
    assert.match(res.uiHints["agents.defaults.heartbeat.target"]?.help ?? "", /telegram, discord/);
  });
});

describe("configUiHints()", () => {
  it("takes the channels it runs from the caller and leaves the schema it is given alone", () => {
    const schema = configJsonSchema() as JsonSchemaNode;
    const before = JSON.stringify(schema);
    const editor = editorSchema(schema);
    const hints = configUiHints(editor, [{ id: "whatsapp", label: "WhatsApp Web" }]);
    assert.equal(hints["channels.whatsapp"]?.label, "WhatsApp Web");
    assert.equal(hints["channels.whatsapp"]?.help, undefined);
    assert.match(hints["channels.telegram"]?.help ?? "", /does not run Telegram/);
    assert.equal(JSON.stringify(schema), before, "the cached schema is not modified");
    assert.notEqual(schema.properties!.channels!.additionalProperties, true);
  });

  it("only describes sections the schema has", () => {
    const hints = configUiHints({ type: "object", properties: { gateway: { type: "object" } } });
    assert.equal(hints.gateway?.label, "Gateway");
    assert.equal(hints.cron, undefined);
  });
});
