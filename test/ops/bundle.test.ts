/**
 * dist/ as the build leaves it (scripts/bundle.mjs, scripts/merge-chunks.mjs,
 * scripts/startup-script.mjs): the gateway's start-up path is one script behind a few small modules,
 * and the chunks merged into it still give everything that imports them (a channel, a provider, a
 * command loaded later) the very same bindings.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import os from "node:os";
import { FakeTelegram } from "../fakes/telegram.js";
import { ROOT, spawnGateway, waitFor } from "../helpers/gateway.js";
// @ts-expect-error plain JavaScript build helper
import { STUB_MARK } from "../../scripts/merge-chunks.mjs";
// @ts-expect-error plain JavaScript build helper
import { FACADE_MARK, LOADER, buildStartupScript } from "../../scripts/startup-script.mjs";

const T = { timeout: 60_000 };
const dist = path.join(ROOT, "dist");
const read = (name: string) => fs.readFileSync(path.join(dist, name), "utf8");
const isStub = (name: string) => read(name).startsWith(STUB_MARK);

/** What `name` imports statically (`import … from "x"`, `import "x"`), as written. */
function importSpecifiers(name: string): string[] {
  return [...read(name).matchAll(/(?:\bfrom\s*|\bimport\s*)"([^"]+)"/g)].map((m) => m[1]!);
}

/** Relative modules `name` imports statically (`./x.mjs`, `./x.cjs`), by file name. */
function staticImports(name: string): string[] {
  return importSpecifiers(name).flatMap((s) => (/^\.\/.+\.[mc]?js$/.test(s) ? [s.slice(2)] : []));
}

function closure(name: string, into = new Set<string>()): Set<string> {
  if (into.has(name)) return into;
  into.add(name);
  for (const dep of staticImports(name)) closure(dep, into);
  return into;
}

describe("the built start-up path", () => {
  const script = read(LOADER).match(/startup-[A-Z0-9]+\.cjs/)?.[0];
  /** The files the script holds, each left in dist/ as a facade importing from the loader. */
  const held = script ? [...read(script).matchAll(/"([\w-]+\.mjs)":\(\)=>/g)].map((m) => m[1]!) : [];
  const require = createRequire(path.join(dist, "index.js"));

  it("starts from a CommonJS entry point that runs the command line from one script", T, () => {
    assert.ok(script, `${LOADER} names its script`);
    assert.deepEqual(JSON.parse(read("package.json")), { type: "commonjs" });
    // ES modules are .mjs: no other .js than the entry point.
    assert.deepEqual(
      fs.readdirSync(dist).filter((f) => f.endsWith(".js")),
      ["index.js"],
    );
    assert.match(read("index.js"), new RegExp(`require\\("\\./${LOADER.replace(".", "\\.")}"\\)\\.load\\("program\\.mjs"\\)`));
    assert.deepEqual(importSpecifiers("index.js"), [], "index.js imports no ES module");
    assert.doesNotMatch(read("index.js"), /\bimport\(/);
    const start = held.find((f) => f.startsWith("start-"));
    assert.ok(held.includes("program.mjs") && start, `${script} holds program.mjs and the start chunk: ${held.join(", ")}`);
    for (const f of held) {
      assert.ok(read(f).startsWith(FACADE_MARK), `${f} is a facade`);
      assert.deepEqual(staticImports(f), [LOADER], `${f} imports only the loader`);
    }
    assert.doesNotMatch(read(script), /[^\x00-\x7f]/, "the script is ASCII (held as one byte a character)");
  });

  it("takes Node's built-ins as module objects, not through imports that read every export", T, () => {
    for (const f of ["index.js", LOADER, script!]) {
      const esm = importSpecifiers(f).filter((s) => s.startsWith("node:"));
      assert.deepEqual(esm, [], `${f} imports ${esm.join(", ")}`);
    }
  });

  it("gives a module loaded later the same bindings as the script's own modules", T, async () => {
    const { load } = require(`./${LOADER}`) as { load: (f: string) => Promise<Record<string, unknown>> };
    for (const f of held) {
      const [facade, own] = await Promise.all([import(pathToFileURL(path.join(dist, f)).href), load(f)]);
      assert.ok(Object.keys(facade).length > 0, `${f} exports something`);
      for (const name of Object.keys(facade)) assert.equal(facade[name], own[name], `${f}.${name}`);
    }
  });

  it("gives later importers of a merged chunk the same bindings as the start-up path", T, async () => {
    const stubs = fs.readdirSync(dist).filter((f) => f.endsWith(".mjs") && isStub(f));
    assert.ok(stubs.length >= 10, `${stubs.length} merged chunks`);
    for (const stub of stubs) {
      const m = read(stub).match(/\{ ([^}]*) \} from "\.\/([^"]+)"|import "\.\/([^"]+)"/);
      assert.ok(m, `${stub}: ${read(stub)}`);
      const target = m[2] ?? m[3]!;
      assert.ok(!isStub(target), `${stub} points at another stub`);
      if (!m[1]) continue;
      const [own, merged] = await Promise.all([
        import(pathToFileURL(path.join(dist, stub)).href),
        import(pathToFileURL(path.join(dist, target)).href),
      ]);
      for (const pair of m[1].split(", ")) {
        const [inMerged, asExported] = pair.split(" as ") as [string, string];
        assert.ok(inMerged in merged, `${target} exports ${inMerged}`);
        assert.equal(own[asExported], merged[inMerged], `${stub}.${asExported} is ${target}.${inMerged}`);
      }
    }
  });

  it("is what the importers of a merged chunk find: every name they import is exported", T, () => {
    const exported = new Map<string, Set<string>>();
    const namesOf = (f: string) => {
      let names = exported.get(f);
      if (!names) {
        const src = read(f);
        names = new Set(
          [...src.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) =>
            m[1]!.split(",").map((p) =>
              p
                .trim()
                .split(/\s+as\s+/)
                .at(-1)!,
            ),
          ),
        );
        exported.set(f, names);
      }
      return names;
    };
    for (const f of fs.readdirSync(dist).filter((n) => n.endsWith(".mjs"))) {
      for (const m of read(f).matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/([^"]+\.mjs)"/g)) {
        if (!isStub(m[2]!)) continue;
        for (const p of m[1]!.split(",")) {
          const name = p.trim().split(/\s+as\s+/)[0]!;
          assert.ok(namesOf(m[2]!).has(name), `${f} imports ${name} from ${m[2]}, which does not export it`);
        }
      }
    }
  });
});

describe("the built bundle's libraries", () => {
  it("grammY reaches the Bot API: its HTTP client accepts the abort signals it is given", T, async () => {
    // node-fetch 2 tells a signal by its class name, which the minified bundle would not keep for a
    // bundled AbortController; grammY is given Node's own (scripts/shims/abort-controller.cjs).
    const tg = await FakeTelegram.start();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-telegram-"));
    fs.writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify({ channels: { telegram: { apiRoot: tg.apiRoot } } }));
    const gw = await spawnGateway(["--port", "0", "--bind", "loopback", "--allow-unconfigured"], {
      OPENCLAW_STATE_DIR: stateDir,
      TELEGRAM_BOT_TOKEN: tg.token,
      OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1",
    });
    try {
      await waitFor(() => tg.calls.some((c) => c.method === "getUpdates"), 15_000, "the built gateway to poll the fake Bot API");
      assert.match(gw.stdout, /\[telegram\] logged in to telegram as @/);
      assert.doesNotMatch(gw.stdout + gw.stderr, /instanceof AbortSignal/);
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.exit;
      await tg.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe("the start-up script's build", () => {
  it("refuses an export that is assigned after its declaration: a chunk loaded later would keep the old value", T, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "startup-script-"));
    try {
      fs.writeFileSync(
        path.join(dir, "program-A.js"),
        'import { a } from "./shared-B.js";\nfunction runCli() { return a; }\nexport { runCli };\n',
      );
      fs.writeFileSync(path.join(dir, "start-C.js"), "function startGateway() {}\nexport { startGateway };\n");
      fs.writeFileSync(path.join(dir, "shared-B.js"), "var a = 1;\nfunction reset() { a = 2; }\nexport { a, reset };\n");
      await assert.rejects(
        buildStartupScript({ dist: dir, program: "program-A.js", start: "start-C.js", options: { format: "esm", platform: "node" } }),
        /shared-B\.js: a at/,
      );
      // Without the assignment it builds, and the files become facades.
      fs.writeFileSync(path.join(dir, "shared-B.js"), "var a = 1;\nfunction reset() { return a; }\nexport { a, reset };\n");
      const { name, files } = await buildStartupScript({
        dist: dir,
        program: "program-A.js",
        start: "start-C.js",
        options: { format: "esm", platform: "node" },
      });
      assert.deepEqual([...files].sort(), ["program-A.js", "shared-B.js", "start-C.js"]);
      assert.ok(fs.existsSync(path.join(dir, name)));
      assert.ok(fs.readFileSync(path.join(dir, "shared-B.js"), "utf8").startsWith(FACADE_MARK));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
