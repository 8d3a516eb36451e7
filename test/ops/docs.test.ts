/** The deployment docs stay true to the repository: links resolve, finding ids exist, commands match. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/gateway.js";
import { GUIDE_COMMAND, readToml } from "./helpers.js";

const DOCS = [
  "docs/deploy/fly.md",
  "docs/docker.md",
  "docs/configuration.md",
  "docs/channels.md",
  "docs/troubleshooting.md",
  "docs/upgrading.md",
  "docs/architecture.md",
];
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const source = ["src/ops/doctor.ts", "src/ops/audit.ts"].map(read).join("\n");

describe("docs", () => {
  it("exist and are linked from the README", () => {
    const readme = read("README.md");
    for (const d of DOCS) assert.ok(readme.includes(`](${d})`), `README links ${d}`);
    assert.match(readme, /^## Quick start$/m, "the quick start is still there");
  });

  it("link only to files and headings that exist", () => {
    for (const d of DOCS) {
      for (const [, target] of read(d).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target!)) continue;
        const [file, anchor] = target!.split("#");
        const resolved = file ? path.resolve(path.dirname(path.join(ROOT, d)), file) : path.join(ROOT, d);
        assert.ok(fs.existsSync(resolved), `${d}: ${target}`);
        if (anchor) {
          const slugs = [...read(path.relative(ROOT, resolved)).matchAll(/^#+ (.+)$/gm)].map((m) =>
            m[1]!
              .toLowerCase()
              .replace(/[^a-z0-9 -]/g, "")
              .replace(/ /g, "-"),
          );
          assert.ok(slugs.includes(anchor), `${d}: #${anchor} in ${slugs.join(", ")}`);
        }
      }
    }
  });

  it("name only doctor findings that exist (troubleshooting's Finding lines and table)", () => {
    const text = read("docs/troubleshooting.md").replace(/\n {2}(?=\S)/g, " "); // join wrapped bullet lines
    const ID = /`([a-z]+\.[a-z_<>.]+)`/g;
    const bullets = text.split("\n").filter((l) => /^- \*\*Findings?\*\*/.test(l));
    // In the table, the finding is the second cell of each row.
    const cells = text
      .split("\n")
      .filter((l) => /^\| /.test(l))
      .map((l) => l.split("|")[2] ?? "");
    const ids = new Set(
      [...bullets, ...cells]
        // A finding is named as `id` followed by "(level …", ":" or the end of its cell.
        .flatMap((l) => [...l.matchAll(new RegExp(ID.source + "(?= \\(|:|\\s*$)", "g"))].map((m) => m[1]!))
        .filter((id) => !/\.(toml|json|md|yml)$/.test(id)),
    );
    for (const expected of [
      "providers.<id>",
      "state.dir",
      "node.version",
      "fly.bind",
      "fly.internal_port",
      "fly.mount",
      "fly.memory",
      "memory.heap",
      "gateway.lock",
      "config.unknown_keys",
      "state.persistent",
    ])
      assert.ok(ids.has(expected), `troubleshooting names ${expected}`);
    for (const id of ids) {
      // `providers.<id>` is produced as providers.${provider}; anything else appears literally.
      const literal = id.includes("<") ? "`" + id.replace(/<[^>]+>.*$/, "") + "${" : `"${id}"`;
      assert.ok(source.includes(literal), `${id}: no such finding (looked for ${literal})`);
    }
  });

  it("show the process command and sizes that fly.toml really has", () => {
    const fly = read("docs/deploy/fly.md");
    assert.ok(fly.includes(GUIDE_COMMAND));
    const toml = readToml("fly.toml");
    assert.ok(fly.includes(`\`${toml.vm[0].size}\``) && fly.includes(toml.vm[0].memory), "VM size and memory");
    assert.ok(fly.includes(toml.env.NODE_OPTIONS), "heap cap");
    assert.ok(fly.includes(`swap_size_mb = ${toml.swap_size_mb}`));
  });
});
