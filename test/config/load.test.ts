/** Loading openclaw.json: JSON5, $include, ${VAR}, .env, errors named by full path. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { readConfigSnapshot } from "../../src/config/load.js";
import { loadDotEnv } from "../../src/infra/dotenv.js";
import { fixture, tmpDir } from "../helpers/gateway.js";

function snapshotOf(text: string, env: Record<string, string> = {}, extraFiles: Record<string, string> = {}) {
  const dir = tmpDir();
  for (const [name, body] of Object.entries(extraFiles)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  const file = path.join(dir, "openclaw.json");
  fs.writeFileSync(file, text);
  return readConfigSnapshot(file, { ...env });
}

describe("config loading", () => {
  it("accepts the Fly.io guide's openclaw.json as written, warning once about what is not active yet", () => {
    const snap = snapshotOf(fixture("reference/seed-openclaw.json"));
    assert.deepEqual(snap.issues, []);
    assert.equal(snap.valid, true);
    assert.equal(snap.config.gateway?.mode, "local");
    assert.deepEqual(snap.warnings, [], "everything in the guide's config is implemented");
  });

  it("accepts the voice-call plugin entry from the guide", () => {
    const snap = snapshotOf(fixture("reference/seed-voice-call.json"));
    assert.equal(snap.valid, true, JSON.stringify(snap.issues));
  });

  it("names unknown keys and wrong types by their full path", () => {
    const snap = snapshotOf(`{
      // JSON5: comments and trailing commas are fine
      agents: { defaults: { bogusKey: 1 } },
      channels: { discord: { guilds: { "123": { requireMention: "yes" } } } },
      gateway: { port: "3000", bind: "everywhere", },
    }`);
    assert.equal(snap.valid, false);
    const byPath = Object.fromEntries(snap.issues.map((i) => [i.path, i.message]));
    assert.equal(byPath["agents.defaults.bogusKey"], "unknown key");
    assert.equal(byPath["channels.discord.guilds.123.requireMention"], "expected boolean, got string");
    assert.equal(byPath["gateway.port"], "expected number, got string");
    assert.match(byPath["gateway.bind"]!, /expected one of .*"lan".*got "everywhere"/);
  });

  it("reports a JSON5 syntax error with its position and keeps nothing half-loaded", () => {
    const snap = snapshotOf(`{ gateway: { mode: "local" `);
    assert.equal(snap.valid, false);
    assert.match(snap.issues[0]!.message, /invalid end of input|JSON5/i);
    assert.deepEqual(snap.config, {});
  });

  it("resolves $include files relative to the including file, deep-merging arrays of files", () => {
    const snap = snapshotOf(
      `{ gateway: { "$include": "./parts/gateway.json5", port: 4000 }, agents: { list: { "$include": ["./parts/a.json5", "./parts/b.json5"] } } }`,
      {},
      {
        "parts/gateway.json5": `{ mode: "local", port: 3000, bind: "lan" }`,
        "parts/a.json5": `[{ id: "main", default: true }]`,
        "parts/b.json5": `[{ id: "work" }]`,
      },
    );
    assert.deepEqual(snap.issues, []);
    assert.deepEqual(snap.config.gateway, { mode: "local", port: 4000, bind: "lan" }, "sibling keys override included ones");
    assert.deepEqual(
      snap.config.agents?.list?.map((a) => a.id),
      ["main", "work"],
    );
  });

  it("explains a missing or circular $include", () => {
    const missing = snapshotOf(`{ gateway: { "$include": "./nope.json5" } }`);
    assert.match(missing.issues[0]!.message, /\$include file not found: .*nope\.json5/);
    const circular = snapshotOf(
      `{ "$include": "./a.json5" }`,
      {},
      { "a.json5": `{ "$include": "./b.json5" }`, "b.json5": `{ "$include": "./a.json5" }` },
    );
    assert.match(circular.issues[0]!.message, /circular \$include: .*a\.json5 -> .*b\.json5 -> .*a\.json5/);
  });

  it("substitutes ${VAR}, keeps $${VAR} literal, and names the path of a missing variable", () => {
    const ok = snapshotOf(`{ gateway: { auth: { token: "\${MY_TOKEN}" }, remote: { url: "ws://\${HOST_NAME}:1/$\${KEEP}" } } }`, {
      MY_TOKEN: "secret-value",
      HOST_NAME: "box",
    });
    assert.deepEqual(ok.issues, []);
    assert.equal(ok.config.gateway?.auth?.token, "secret-value");
    assert.equal(ok.config.gateway?.remote?.url, "ws://box:1/${KEEP}");
    const missing = snapshotOf(`{ gateway: { auth: { token: "\${NOT_SET_ANYWHERE}" } } }`);
    assert.equal(missing.valid, false);
    assert.equal(missing.issues[0]!.path, "gateway.auth.token");
    assert.match(missing.issues[0]!.message, /NOT_SET_ANYWHERE is not set/);
  });

  it("fills variables from the config's env block without overriding the process", () => {
    const env: Record<string, string> = { ALREADY: "from-process" };
    const dir = tmpDir();
    const file = path.join(dir, "openclaw.json");
    fs.writeFileSync(
      file,
      `{ env: { ALREADY: "from-config", FRESH_KEY: "x1" }, gateway: { auth: { token: "\${FRESH_KEY}-\${ALREADY}" } } }`,
    );
    const snap = readConfigSnapshot(file, env);
    assert.equal(snap.config.gateway?.auth?.token, "x1-from-process");
  });
});

describe(".env files", () => {
  it("loads the working directory's .env, then the state dir's, never overriding what is set", () => {
    const cwd = tmpDir();
    const state = tmpDir();
    fs.writeFileSync(path.join(cwd, ".env"), "A_VAR=cwd\nB_VAR=cwd\n");
    fs.writeFileSync(path.join(state, ".env"), "B_VAR=state\nC_VAR=state\nD_VAR=state\n");
    const env: Record<string, string | undefined> = { D_VAR: "process" };
    loadDotEnv(env, cwd, state);
    assert.deepEqual({ A: env.A_VAR, B: env.B_VAR, C: env.C_VAR, D: env.D_VAR }, { A: "cwd", B: "cwd", C: "state", D: "process" });
  });
});
