/**
 * dist/ as the build leaves it (scripts/bundle.mjs, scripts/merge-chunks.mjs): the gateway's start-up
 * path is a handful of files, and the chunks merged into them still give everything that imports
 * them (a channel, a provider, a command loaded later) the very same bindings.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import os from "node:os";
import { FakeTelegram } from "../fakes/telegram.js";
import { ROOT, spawnGateway, waitFor } from "../helpers/gateway.js";
// @ts-expect-error plain JavaScript build helper
import { STUB_MARK } from "../../scripts/merge-chunks.mjs";

const T = { timeout: 60_000 };
const dist = path.join(ROOT, "dist");
const read = (name: string) => fs.readFileSync(path.join(dist, name), "utf8");
const isStub = (name: string) => read(name).startsWith(STUB_MARK);

/** What `name` imports statically (`import … from "x"`, `import "x"`), as written. */
function importSpecifiers(name: string): string[] {
  return [...read(name).matchAll(/(?:\bfrom\s*|\bimport\s*)"([^"]+)"/g)].map((m) => m[1]!);
}

/** Relative modules `name` imports statically (`./x.js`), by file name. */
function staticImports(name: string): string[] {
  return importSpecifiers(name).flatMap((s) => (/^\.\/.+\.js$/.test(s) ? [s.slice(2)] : []));
}

/** The first module `name` imports dynamically whose file name starts with `prefix`. */
function dynamicImport(name: string, prefix: string): string {
  const m = read(name).match(new RegExp(`import\\("\\./(${prefix}-[A-Z0-9]+\\.js)"\\)`));
  assert.ok(m, `${name} imports ${prefix}-*.js`);
  return m[1]!;
}

function closure(name: string, into = new Set<string>()): Set<string> {
  if (into.has(name)) return into;
  into.add(name);
  for (const dep of staticImports(name)) closure(dep, into);
  return into;
}

describe("the built start-up path", () => {
  const program = dynamicImport("index.js", "program");
  const start = dynamicImport(program, "start");

  it("loads a few files, none of them a re-export stub", T, () => {
    const before = closure(program, closure("index.js"));
    const startup = [...closure(start)].filter((f) => !before.has(f));
    for (const f of [...before, ...startup]) assert.ok(!isStub(f), `${f} is on the start-up path but only re-exports`);
    assert.ok(startup.length <= 3, `importing ${start} loads ${startup.length} files: ${startup.join(", ")}`);
  });

  it("takes Node's built-ins as module objects, not through ES module imports", T, () => {
    // An ES module import of a built-in reads all its exports, loading the parts Node keeps lazy.
    for (const f of closure(start, closure(program, closure("index.js")))) {
      const esm = importSpecifiers(f).filter((s) => s.startsWith("node:"));
      assert.deepEqual(esm, [], `${f} imports ${esm.join(", ")}`);
    }
  });

  it("gives later importers of a merged chunk the same bindings as the start-up path", T, async () => {
    const stubs = fs.readdirSync(dist).filter((f) => f.endsWith(".js") && isStub(f));
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
    for (const f of fs.readdirSync(dist).filter((n) => n.endsWith(".js"))) {
      for (const m of read(f).matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/([^"]+\.js)"/g)) {
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
