/**
 * `openclaw plugins install|update|doctor`: a plugin from a folder, a .tgz, a .zip or an npm registry
 * lands in `$OPENCLAW_STATE_DIR/extensions/<id>/`, is recorded and enabled, is listed and loads in the
 * gateway; hostile or broken packages are refused with nothing written.
 */
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as tar from "tar";
import { cli, connect, fixturePath, spawnGateway, tmpDir, writeConfig } from "../helpers/gateway.js";
import { entriesOf, makeTar, makeZip } from "../helpers/archives.js";
import { startFakeNpmRegistry, type FakeNpmRegistry } from "../fakes/npm-registry.js";
import { installFromArchive, PluginInstallError } from "../../src/plugins/install.js";

const TOKEN = "plugin-install-token-123456";

function setup() {
  const dir = tmpDir("oc-install-");
  return { dir, env: { HOME: dir, OPENCLAW_STATE_DIR: dir } };
}

const readConfig = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "openclaw.json"), "utf8"));

/** What is in a folder, recursively, as relative paths. */
const tree = (dir: string): string[] =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join("/")).sort() : [];

/**
 * Starts the built gateway on the state dir the CLI wrote (a process of its own, as after a restart)
 * and calls one of a plugin's methods.
 */
async function callInGateway(stateDir: string, method: string, params: unknown = {}): Promise<unknown> {
  const gw = await spawnGateway(["--allow-unconfigured", "--port", "0"], {
    HOME: stateDir,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
  });
  try {
    const c = await connect(`ws://127.0.0.1:${gw.port}`, { token: TOKEN });
    try {
      return await c.request(method, params);
    } finally {
      c.close();
    }
  } finally {
    gw.proc.kill("SIGTERM");
    await gw.exit;
  }
}

/** `npm pack` of a copy of a fixture folder with `version` set: a tarball as npm publishes it. */
function npmPack(fixture: string, version: string, name?: string) {
  const work = tmpDir("oc-pack-");
  const src = path.join(work, "src");
  fs.cpSync(fixturePath(fixture), src, { recursive: true });
  const pkgFile = path.join(src, "package.json");
  const manifest = { ...JSON.parse(fs.readFileSync(pkgFile, "utf8")), version, ...(name ? { name } : {}) };
  fs.writeFileSync(pkgFile, JSON.stringify(manifest, null, 2));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: src,
    env: { ...process.env, npm_config_cache: path.join(work, "cache"), npm_config_update_notifier: "false" },
    encoding: "utf8",
  });
  const packed = JSON.parse(out) as Array<{ filename: string }>;
  return { manifest, tarball: fs.readFileSync(path.join(work, packed[0]!.filename)) };
}

describe("openclaw plugins install", () => {
  it("installs a folder: recorded, enabled, listed, loaded by the gateway; a second install is refused", { timeout: 90_000 }, async () => {
    const { dir, env } = setup();
    const r = await cli(["plugins", "install", fixturePath("plugins/hello")], env);
    assert.equal(r.code, 0, r.stderr);
    const installPath = path.join(dir, "extensions", "hello");
    assert.match(r.stdout, new RegExp(`Installed plugin: hello 0\\.1\\.0 \\(${installPath}\\)`));
    assert.match(r.stdout, /Restart the gateway/);
    assert.deepEqual(tree(installPath), ["index.ts", "openclaw.plugin.json"]);
    assert.deepEqual(tree(path.join(dir, "extensions")), ["hello", "hello/index.ts", "hello/openclaw.plugin.json"], "no staging left");

    const cfg = readConfig(dir);
    assert.equal(cfg.plugins.entries.hello.enabled, true);
    const rec = cfg.plugins.installs.hello;
    assert.deepEqual(
      { ...rec, installedAt: undefined },
      { source: "path", sourcePath: fixturePath("plugins/hello"), installPath, version: "0.1.0", installedAt: undefined },
    );
    assert.ok(!Number.isNaN(Date.parse(rec.installedAt)));

    const list = await cli(["plugins", "list"], env);
    assert.match(list.stdout, /^hello\s+Hello\s+loaded\s+global\s/m);
    assert.deepEqual(await callInGateway(dir, "hello.greet", { name: "Ada" }), { text: "Hello, Ada!" });

    const again = await cli(["plugins", "install", fixturePath("plugins/hello")], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /plugin hello is already installed in .*extensions\/hello; `openclaw plugins update hello`/);
    assert.deepEqual(tree(path.join(dir, "extensions")), ["hello", "hello/index.ts", "hello/openclaw.plugin.json"]);

    const upd = await cli(["plugins", "update", "hello"], env);
    assert.equal(upd.code, 0, upd.stderr);
    assert.match(
      upd.stdout,
      /Skipping hello: it was installed from a local folder .* only npm installs have somewhere to fetch a newer version from/,
    );
  });

  it("installs a .tgz and a .zip made here, and links a folder with --link", { timeout: 90_000 }, async () => {
    const { dir, env } = setup();
    const work = tmpDir("oc-archives-");
    const tgz = path.join(work, "hello-0.1.0.tgz");
    await tar.c({ gzip: true, file: tgz, cwd: fixturePath("plugins/hello"), prefix: "package/" }, ["index.ts", "openclaw.plugin.json"]);
    const r1 = await cli(["plugins", "install", tgz], env);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(tree(path.join(dir, "extensions", "hello")), ["index.ts", "openclaw.plugin.json"]);
    assert.equal(readConfig(dir).plugins.installs.hello.source, "archive");
    assert.equal(readConfig(dir).plugins.installs.hello.sourcePath, tgz);

    // A zip of the folder's contents (no top folder), as a file manager makes it.
    const zip = makeZip(path.join(work, "webhook.zip"), entriesOf(fixturePath("plugins/webhook")));
    const r2 = await cli(["plugins", "install", zip], env);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(tree(path.join(dir, "extensions", "webhook")), ["index.js", "openclaw.plugin.json"]);
    const list = await cli(["plugins", "list"], env);
    assert.match(list.stdout, /^hello\s+Hello\s+loaded\s+global\s/m);
    assert.match(list.stdout, /^webhook\s+Webhook\s+loaded\s+global\s/m);

    const linked = await cli(["plugins", "install", "--link", fixturePath("plugins/broken")], env);
    assert.equal(linked.code, 0, linked.stderr);
    assert.match(linked.stdout, /Linked plugin path: .*plugins\/broken \(plugin broken\)/);
    const cfg = readConfig(dir);
    assert.deepEqual(cfg.plugins.load.paths, [fixturePath("plugins/broken")]);
    assert.equal(cfg.plugins.installs.broken.source, "path");
    assert.equal(cfg.plugins.installs.broken.installPath, fixturePath("plugins/broken"));
    assert.ok(!fs.existsSync(path.join(dir, "extensions", "broken")), "a link copies nothing");
  });

  it("refuses archives that reach outside, and leaves nothing behind", { timeout: 90_000 }, async () => {
    const work = tmpDir("oc-evil-");
    const plugin = entriesOf(fixturePath("plugins/webhook"), "package/");
    const cases: Array<[string, string, RegExp]> = [
      ["slip.zip", "zip", /entry "\.\.\/evil\.txt"|invalid relative path: \.\.\/evil\.txt/],
      ["slip.tgz", "tar", /entry "package\/\.\.\/\.\.\/evil\.txt" climbs out of the archive/],
      ["abs.tar", "abs", /entry "\/tmp\/evil\.txt" is an absolute path/],
      ["link.tgz", "link", /entry "package\/escape" is a link/],
      ["link.zip", "ziplink", /entry "package\/escape" is a link/],
    ];
    for (const [name, kind, message] of cases) {
      const { dir, env } = setup();
      const file = path.join(work, name);
      if (kind === "zip") makeZip(file, [...plugin, { name: "../evil.txt", data: "pwned" }]);
      if (kind === "tar") makeTar(file, [...plugin, { name: "package/../../evil.txt", data: "pwned" }]);
      if (kind === "abs") makeTar(file, [...plugin, { name: "/tmp/evil.txt", data: "pwned" }]);
      if (kind === "link") makeTar(file, [...plugin, { name: "package/escape", symlink: "/etc" }]);
      if (kind === "ziplink") makeZip(file, [...plugin, { name: "package/escape", symlink: "../../.." }]);
      const r = await cli(["plugins", "install", file], env);
      assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.match(r.stderr, /refused/, name);
      assert.ok(!fs.existsSync(path.join(dir, "extensions")), `${name}: nothing written under extensions/`);
      assert.ok(!fs.existsSync(path.join(dir, "openclaw.json")), `${name}: config untouched`);
      assert.ok(!fs.existsSync(path.join(work, "evil.txt")) && !fs.existsSync(path.join(dir, "evil.txt")), name);
    }
  });

  it("says what is wrong with a package that is not a plugin", { timeout: 60_000 }, async () => {
    const { dir, env } = setup();
    const work = tmpDir("oc-bad-");
    const noManifest = path.join(work, "no-manifest");
    fs.mkdirSync(noManifest);
    fs.writeFileSync(path.join(noManifest, "index.js"), "export default () => {};");
    const badSchema = path.join(work, "bad-schema");
    fs.mkdirSync(badSchema);
    fs.writeFileSync(path.join(badSchema, "index.js"), "export default () => {};");
    fs.writeFileSync(path.join(badSchema, "openclaw.plugin.json"), JSON.stringify({ id: "bad", configSchema: { type: "nonsense" } }));
    const noSchema = path.join(work, "no-schema");
    fs.mkdirSync(noSchema);
    fs.writeFileSync(path.join(noSchema, "openclaw.plugin.json"), JSON.stringify({ id: "bad" }));
    const noEntry = path.join(work, "no-entry");
    fs.mkdirSync(noEntry);
    fs.writeFileSync(path.join(noEntry, "openclaw.plugin.json"), JSON.stringify({ id: "bad", configSchema: {} }));
    fs.writeFileSync(path.join(work, "garbage.tgz"), "this is not an archive");
    const linkOut = path.join(work, "link-out");
    fs.cpSync(fixturePath("plugins/webhook"), linkOut, { recursive: true });
    fs.symlinkSync("../../..", path.join(linkOut, "escape"));

    const expect: Array<[string, RegExp]> = [
      [noManifest, /is not an OpenClaw plugin: it has no openclaw\.plugin\.json/],
      [badSchema, /"configSchema" is not a valid JSON Schema/],
      [noSchema, /"configSchema" is required/],
      [noEntry, /no entry module: list it in package\.json/],
      [path.join(work, "garbage.tgz"), /garbage\.tgz cannot be read as an archive/],
      [linkOut, /escape is a symbolic link to \.\.\/\.\.\/\.\., outside the plugin folder/],
      [path.join(work, "missing.zip"), /path not found: .*missing\.zip/],
    ];
    for (const [src, message] of expect) {
      const r = await cli(["plugins", "install", src], env);
      assert.equal(r.code, 1, src);
      assert.match(r.stderr, message, src);
    }
    assert.ok(!fs.existsSync(path.join(dir, "extensions")));
  });

  it("bounds what an archive may hold", { timeout: 30_000 }, async () => {
    const work = tmpDir("oc-limits-");
    const extensionsDir = path.join(work, "extensions");
    const file = makeTar(path.join(work, "many.tgz"), [
      ...entriesOf(fixturePath("plugins/webhook"), "package/"),
      ...Array.from({ length: 5 }, (_, i) => ({ name: `package/f${i}.txt`, data: "x" })),
    ]);
    await assert.rejects(installFromArchive(file, { extensionsDir, limits: { maxEntries: 4 } }), (e: PluginInstallError) => {
      assert.equal(e.code, "BAD_ARCHIVE");
      assert.match(e.message, /holds more than 4 entries; refused/);
      return true;
    });
    const big = makeZip(path.join(work, "big.zip"), [
      ...entriesOf(fixturePath("plugins/webhook")),
      { name: "blob.bin", data: Buffer.alloc(200_000) },
    ]);
    await assert.rejects(installFromArchive(big, { extensionsDir, limits: { maxExtractedBytes: 100_000 } }), /would extract to more than/);
    assert.ok(!fs.existsSync(extensionsDir), "nothing left behind");
  });
});

describe("openclaw plugins install from npm, and update", () => {
  let registry: FakeNpmRegistry;
  before(async () => {
    registry = await startFakeNpmRegistry();
    const words = npmPack("plugins/npm/greeter-words", "1.0.0");
    registry.publish(words.manifest, words.tarball);
    // npm resolves dev dependencies even when it leaves them out.
    const dev = npmPack("plugins/npm/greeter-words", "9.9.9", "never-installed");
    registry.publish(dev.manifest, dev.tarball);
    const v1 = npmPack("plugins/npm/greeter", "1.0.0");
    registry.publish(v1.manifest, v1.tarball);
  });
  after(() => registry.close());

  it("fetches with npm pack, installs its dependencies, updates to a newer version", { timeout: 180_000 }, async () => {
    const { dir, env: base } = setup();
    const env = { ...base, npm_config_registry: `${registry.url}/` };
    const r = await cli(["plugins", "install", "openclaw-greeter"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Installed plugin: greeter 1\.0\.0/);
    const installPath = path.join(dir, "extensions", "greeter");
    assert.ok(fs.existsSync(path.join(installPath, "node_modules", "greeter-words", "index.js")), "runtime dependency installed");
    assert.ok(!fs.existsSync(path.join(installPath, "node_modules", "never-installed")), "dev dependency left out");
    assert.ok(registry.requests.includes("openclaw-greeter"));
    const rec = readConfig(dir).plugins.installs.greeter;
    assert.equal(rec.source, "npm");
    assert.equal(rec.spec, "openclaw-greeter");
    assert.equal(rec.installPath, installPath);
    assert.equal(rec.version, "1.0.0");
    assert.equal(readConfig(dir).plugins.entries.greeter.enabled, true);
    assert.match((await cli(["plugins", "list"], env)).stdout, /^greeter\s+Greeter\s+loaded\s+global\s/m);
    assert.deepEqual(await callInGateway(dir, "greeter.hello"), { text: "Howdy from greeter 1.0.0" });

    const current = await cli(["plugins", "update", "greeter"], env);
    assert.equal(current.code, 0, current.stderr);
    assert.match(current.stdout, /greeter already at 1\.0\.0\./);

    const v2 = npmPack("plugins/npm/greeter", "1.1.0");
    registry.publish(v2.manifest, v2.tarball);
    const dry = await cli(["plugins", "update", "greeter", "--dry-run"], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Would update greeter: 1\.0\.0 -> 1\.1\.0\./);
    assert.equal(JSON.parse(fs.readFileSync(path.join(installPath, "package.json"), "utf8")).version, "1.0.0", "a dry run changes nothing");

    const upd = await cli(["plugins", "update", "--all"], env);
    assert.equal(upd.code, 0, upd.stderr);
    assert.match(upd.stdout, /Updated greeter: 1\.0\.0 -> 1\.1\.0\./);
    assert.equal(JSON.parse(fs.readFileSync(path.join(installPath, "package.json"), "utf8")).version, "1.1.0");
    assert.equal(readConfig(dir).plugins.installs.greeter.version, "1.1.0");
    assert.deepEqual(
      tree(path.join(dir, "extensions")).filter((p) => !p.startsWith("greeter")),
      [],
      "no staging or backup left",
    );
    assert.deepEqual(await callInGateway(dir, "greeter.hello"), { text: "Howdy from greeter 1.1.0" });
  });

  it("passes npm's own error on, and leaves nothing behind", { timeout: 120_000 }, async () => {
    const { dir, env: base } = setup();
    const env = { ...base, npm_config_registry: `${registry.url}/` };
    const r = await cli(["plugins", "install", "no-such-plugin"], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /npm pack no-such-plugin failed:/);
    assert.match(r.stderr, /404/);
    assert.ok(!fs.existsSync(path.join(dir, "extensions")));

    const missing = await cli(["plugins", "update", "nope"], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no install record for "nope" in plugins\.installs/);
    const none = await cli(["plugins", "update"], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /name the plugin to update/);
  });
});

describe("openclaw plugins doctor", () => {
  it("reports load errors and unknown plugin ids, or that there are none", { timeout: 60_000 }, async () => {
    const { dir, env } = setup();
    const clean = await cli(["plugins", "doctor"], env);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /No plugin issues detected\./);

    writeConfig(dir, {
      plugins: {
        load: { paths: [fixturePath("plugins/hello"), fixturePath("plugins/broken")] },
        entries: { hello: { config: { repeat: 0 } }, nope: { enabled: true } },
      },
    });
    const r = await cli(["plugins", "doctor"], env);
    assert.equal(r.code, 0, "as in OpenClaw, doctor reports and exits 0");
    assert.match(r.stdout, /^Plugin errors:$/m);
    assert.match(r.stdout, /^- broken: register failed: cannot start without its database \(.*broken\/index\.js\)$/m);
    assert.match(r.stdout, /^- hello: invalid config: plugins\.entries\.hello\.config\.repeat: must be >= 1/m);
    assert.match(r.stdout, /^- error: plugins\.entries\.nope: plugin not found: nope/m);
    assert.equal(r.stdout.match(/cannot start without its database/g)?.length, 1, "each problem once");
    assert.equal(r.stderr, "", "the plugins' own log lines are not repeated");
  });
});
