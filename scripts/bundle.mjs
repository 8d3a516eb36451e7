#!/usr/bin/env node
// Bundles the server (src/index.ts and everything it imports, libraries included) into dist/ with
// esbuild: a handful of minified ES modules instead of ~300 files. The gateway loads less source and
// fewer module records, which is most of its idle memory. Libraries that load only on demand (a
// channel's, a model provider's) become their own chunks and still load only on demand. The chunks
// the gateway's start-up path loads are then merged into two files (scripts/merge-chunks.mjs).
//
// Kept outside the bundle: the model provider SDKs (loaded from node_modules for the one provider in
// use) and optional native add-ons some libraries try to require.
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { lazyWAProto } from "./lazy-waproto.mjs";
import { mergeStartupChunks } from "./merge-chunks.mjs";
import { buildStartupScript } from "./startup-script.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const dist = path.join(root, "dist");
const require = createRequire(path.join(root, "package.json"));

// Everything in dist/ is this script's output except the Control UI, which its own build writes.
for (const name of fs.existsSync(dist) ? fs.readdirSync(dist) : []) {
  if (name !== "control-ui") fs.rmSync(path.join(dist, name), { recursive: true, force: true });
}

// How every file in dist/ is written: the bundle's and the merged start-up files (merge-chunks.mjs).
const output = {
  format: "esm",
  platform: "node",
  target: "node20.19",
  minify: true,
  // Names are not kept (`keepNames` would add a call per function and class, run at load: some 5 ms
  // more before the gateway listens). What checks a class name at run time is node-fetch 2, grammY's
  // client, on `AbortSignal`: grammY gets Node's own classes (the abort-controller shim below).
  legalComments: "none",
  sourcemap: "linked",
  logLevel: "warning",
};

const restWeb = path.join(path.dirname(require.resolve("@discordjs/rest")), "web.mjs");
const result = await build({
  absWorkingDir: root,
  // The command line (loaded by dist/index.js, which scripts/startup-script.mjs builds) and
  // plugin-sdk.mjs, what plugins get for `import … from "openclaw/plugin-sdk"`. ES modules are .mjs:
  // dist/ is a CommonJS package scope, for dist/index.js (startup-script.mjs says why).
  entryPoints: { program: "src/cli/program.ts", "plugin-sdk": "src/plugins/sdk.ts" },
  outdir: dist,
  outExtension: { ".js": ".mjs" },
  ...output,
  bundle: true,
  splitting: true,
  chunkNames: "[name]-[hash]",
  metafile: true,
  external: [
    "@anthropic-ai/sdk",
    "@anthropic-ai/sdk/*",
    "openai",
    "openai/*",
    "@google/genai",
    // Plugins are loaded as written (TypeScript or JavaScript) by jiti, from node_modules.
    "jiti",
    // Loaded only when a SKILL.md is read (src/skills/frontmatter.ts).
    "yaml",
    // Loaded only for a file that is not plain JSON (src/infra/json5.ts) and by some commands.
    "json5",
    // Channel libraries, loaded only when an account of their channel is configured. (Baileys is
    // bundled, see below; what it imports only to resize or inspect media stays outside.)
    "@slack/bolt",
    "jimp",
    "sharp",
    "link-preview-js",
    "music-metadata",
    "qrcode",
    "bufferutil",
    "utf-8-validate",
    "zlib-sync",
  ],
  alias: {
    // The fetch-based build of the Discord REST client (the default one loads undici, ~6 MB).
    "@discordjs/rest": fs.existsSync(restWeb) ? restWeb : "@discordjs/rest",
    "whatwg-url": path.join(root, "scripts/shims/whatwg-url.cjs"),
    "abort-controller": path.join(root, "scripts/shims/abort-controller.cjs"),
    // Baileys' WebAssembly helpers and default logger (see the shims' headers).
    "whatsapp-rust-bridge": path.join(root, "scripts/shims/whatsapp-rust-bridge.mjs"),
    pino: path.join(root, "scripts/shims/pino.mjs"),
  },
  plugins: [lazyWAProto()],
  define: { __OPENCLAW_BUNDLED__: "true" },
  // CommonJS libraries inside an ES module bundle still need `require` for Node's built-ins.
  banner: { js: 'const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);' },
});

// `import { z } from "zod"` keeps every zod locale reachable (~350 KB more code to load at start-up).
const locales = Object.values(result.metafile.outputs)
  .flatMap((o) => Object.entries(o.inputs))
  .filter(([f, i]) => i.bytesInOutput > 0 && /node_modules\/zod\/.*\/locales\/(?!en\.)/.test(f));
if (locales.length) {
  console.error(`zod's locales ended up in the bundle: import zod as \`import * as z from "zod"\` everywhere`);
  process.exit(1);
}

const merged = await mergeStartupChunks({ root, metafile: result.metafile, options: output });
const outputOf = (entry) =>
  path.basename(Object.keys(result.metafile.outputs).find((f) => result.metafile.outputs[f].entryPoint === entry));
const script = await buildStartupScript({
  dist,
  program: outputOf("src/cli/program.ts"),
  start: outputOf("src/gateway/start.ts"),
  options: output,
});

const modules = fs.readdirSync(dist).filter((f) => /\.(m|c)?js$/.test(f));
const total = modules.reduce((n, f) => n + fs.statSync(path.join(dist, f)).size, 0);
fs.chmodSync(path.join(dist, "index.js"), 0o755);
const startup = merged.map((m) => `${m.replaced} chunks into ${path.basename(m.file)}`).join(", ");
console.log(
  `dist/: ${modules.length} modules, ${(total / 1024).toFixed(0)} KB (start-up path: ${startup}; then ${script.files.length} files into ${script.name})`,
);
