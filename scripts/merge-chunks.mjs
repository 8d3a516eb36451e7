// Used by scripts/bundle.mjs (and checked by test/ops/bundle.test.ts).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { builtinsWithoutFacade } from "./node-builtins.mjs";

/**
 * Code splitting leaves the gateway's start-up path spread over ~40 small files (one per set of entry
 * points that share a module). Node loads each ES module file with its own resolve, read, compile,
 * link and evaluate steps, about half a millisecond apiece on a small machine, so this step puts each
 * group of chunks that always load together into one file:
 *
 * - `shared`: the chunks the start-up path shares with the other commands (config, schema, logging),
 *   loaded by every command;
 * - the start chunk itself, with the chunks only the start-up path loads.
 *
 * Each merged chunk's file stays, as a one-line module re-exporting its bindings from the merged
 * file, so chunks loaded later (a channel, a provider, a command) import the same instances.
 *
 * In the merged files, and in those the start-up path loads before them (the entry point and the CLI),
 * Node's built-ins come from `process.getBuiltinModule` rather than ES module imports
 * (scripts/node-builtins.mjs says why).
 *
 * `metafile` is the first build's, `root` its `absWorkingDir`, and `options` how it wrote its files
 * (format, target, minification, source maps), which the merged files are written with too. Returns
 * the merged files' paths (relative to `root`) and how many chunk files each replaced.
 */
export async function mergeStartupChunks({ root, metafile, options }) {
  const outputs = metafile.outputs;
  const byEntry = (entry) => {
    const file = Object.keys(outputs).find((f) => outputs[f].entryPoint === entry);
    if (!file) throw new Error(`merge-chunks: no output for ${entry}`);
    return file;
  };
  // `file` and every chunk it imports statically, dependencies first (the order they are evaluated
  // in), leaving out `skip`. A dynamic import is loaded when it runs, not with its importer.
  const staticClosure = (file, skip = new Set()) => {
    const order = [];
    const seen = new Set(skip);
    const visit = (f) => {
      if (seen.has(f) || !outputs[f]) return;
      seen.add(f);
      for (const i of outputs[f].imports) if (i.kind === "import-statement" && !i.external) visit(i.path);
      order.push(f);
    };
    visit(file);
    return order;
  };
  const start = byEntry("src/gateway/start.ts");
  // Already loaded by the time the start chunk is imported: left as they are.
  const loaded = new Set(staticClosure(byEntry("src/cli/program.ts")));
  const byCommands = new Set(staticClosure(byEntry("src/cli/commands.ts")));
  const order = staticClosure(start, loaded);
  const shared = order.filter((f) => byCommands.has(f));
  const own = order.filter((f) => !byCommands.has(f));
  if (!own.includes(start)) throw new Error("merge-chunks: the start chunk is shared with the commands");

  const merged = [];
  // `shared` first: the start chunk's group imports it, never the other way round (a chunk's static
  // imports are in the closure of anything that reaches it).
  if (shared.length > 1) merged.push(await mergeGroup(root, outputs, options, shared, null));
  merged.push(await mergeGroup(root, outputs, options, own, start));
  // What loads before them is rewritten in place, for its imports of Node's built-ins only.
  for (const f of loaded)
    if (outputs[f].imports.some((i) => i.external && i.path.startsWith("node:"))) await mergeGroup(root, outputs, options, [f], f);
  return merged;
}

/** The name a chunk's export `name` has in the merged file: prefixed by the chunk, so never taken twice. */
const alias = (file, name) =>
  `${path
    .basename(file)
    .replace(/\.m?js$/, "")
    .replace(/[^A-Za-z0-9]/g, "_")}$${name}`;

function reexports(names, from, rename) {
  if (!names.length) return `import ${JSON.stringify(from)};`;
  return `export { ${names.map((n) => rename(n)).join(", ")} } from ${JSON.stringify(from)};`;
}

/**
 * Bundles `members` (dist files, dependencies first) into one file: `keep`'s own file when given (its
 * exports keep their names, so its importers need not change), else `shared-<hash>.mjs`. Members
 * then become re-export stubs. Imports of other files stay imports; an earlier group's stub is
 * followed to that group's file so that nothing on the start-up path loads a stub.
 */
async function mergeGroup(root, outputs, options, members, keep) {
  const dist = path.join(root, path.dirname(members[0]));
  const hash = crypto.createHash("sha256").update(members.join("\n")).digest("hex").slice(0, 8).toUpperCase();
  const target = keep ?? path.join(path.dirname(members[0]), `shared-${hash}${path.extname(members[0])}`);
  const targetName = `./${path.basename(target)}`;
  const exportsOf = (f) => outputs[f].exports;
  const entry = members
    .map((f) => reexports(exportsOf(f), `./${path.basename(f)}`, (n) => (f === keep ? n : `${n} as ${alias(f, n)}`)))
    .join("\n");
  const inGroup = new Set(members.map((f) => path.join(root, f)));
  // The entry point's `#!/usr/bin/env node` line stays its first line.
  const hashbang = keep ? /^#![^\n]*/.exec(fs.readFileSync(path.join(root, keep), "utf8"))?.[0] : undefined;
  const result = await build({
    absWorkingDir: root,
    stdin: { contents: entry, resolveDir: dist, sourcefile: "merged-entry.js", loader: "js" },
    outfile: path.join(root, target),
    ...options,
    ...(hashbang ? { banner: { js: hashbang } } : {}),
    write: false,
    bundle: true,
    plugins: [
      builtinsWithoutFacade(),
      {
        name: "merge-startup-chunks",
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === "entry-point") return undefined;
            if (!args.path.startsWith("./")) return { path: args.path, external: true };
            const file = path.join(args.resolveDir, args.path);
            // A member, or a stub left by an earlier group: bundled (a stub is one re-export line).
            if (inGroup.has(file) || isStub(file)) return { path: file };
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  for (const f of result.outputFiles) fs.writeFileSync(f.path, f.contents);
  for (const f of members) {
    if (f === keep) continue;
    fs.writeFileSync(path.join(root, f), `${STUB_MARK}\n${reexports(exportsOf(f), targetName, (n) => `${alias(f, n)} as ${n}`)}\n`);
    fs.rmSync(path.join(root, `${f}.map`), { force: true });
  }
  return { file: target, replaced: members.length };
}

/** First line of a merged chunk's file (what remains of it: re-exports from the merged file). */
export const STUB_MARK = "// merged: see scripts/merge-chunks.mjs";
const isStub = (file) => {
  try {
    return fs.readFileSync(file, "utf8").startsWith(STUB_MARK);
  } catch {
    return false;
  }
};
