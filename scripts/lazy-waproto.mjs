// An esbuild plugin used by scripts/bundle.mjs (and checked by test/channels/whatsapp/bundle.test.ts).
import fs from "node:fs";
import path from "node:path";
import { transformSync } from "esbuild";

/**
 * Baileys' WAProto/index.js is protobufjs static code for ~200 top-level message types (4 MB of
 * source): importing it builds every class, with its encode/decode/convert functions, ~25 MB resident
 * for a linked account that uses a handful of them until messages flow. Here each top-level type's
 * code goes to its own file (`waproto/<Type>.js` beside the bundle) and `proto.<Type>` becomes a
 * getter that reads, runs and keeps it on first use; so only the types an account touches are ever
 * compiled, and the source of the others is not held in memory either (V8 keeps a module's whole
 * source for as long as the module lives). The generated file's layout is checked: if it ever
 * changes, the build fails rather than shipping a half-rewritten module.
 */
export function lazyWAProto() {
  return {
    name: "lazy-waproto",
    setup(b) {
      const outdir = b.initialOptions.outdir ?? path.dirname(b.initialOptions.outfile);
      b.onLoad({ filter: /[\\/]@whiskeysockets[\\/]baileys[\\/]WAProto[\\/]index\.js$/ }, async (args) => {
        const src = await fs.promises.readFile(args.path, "utf8");
        const anchor = "export const proto = $root.proto = (() => {";
        const open = /^    proto\.([A-Za-z0-9_$]+) = \(function\(\) \{$/gm;
        const close = "\n    })();\n";
        const fail = (why) => {
          throw new Error(`${args.path}: unexpected layout (${why}); update scripts/lazy-waproto.mjs`);
        };
        if (!src.includes(anchor)) fail("no proto namespace");
        const typesDir = path.join(outdir, "waproto");
        await fs.promises.mkdir(typesDir, { recursive: true });
        let out = "";
        let at = 0;
        let count = 0;
        for (const m of src.matchAll(open)) {
          if (m.index < at) fail(`${m[1]} inside another type`);
          const bodyStart = m.index + m[0].length;
          const end = src.indexOf(close, bodyStart);
          if (end < 0) fail(`${m[1]} never ends`);
          const body = src.slice(bodyStart, end);
          if (open.test(body)) fail(`${m[1]} holds another top-level type`);
          open.lastIndex = 0;
          // Assigned, or minifying would drop the unused expression; the assignment is then cut off.
          const fn = `var __waType = function($protobuf, $Reader, $Writer, $util, $root, longToString, longToNumber) {${body}\n};`;
          const code = transformSync(fn, { minify: true, loader: "js", target: "node20" }).code.trim();
          if (!code.startsWith("var __waType=") || !code.endsWith(";")) fail(`${m[1]} did not minify as expected`);
          await fs.promises.writeFile(path.join(typesDir, `${m[1]}.js`), `(${code.slice("var __waType=".length, -1)})`);
          out += `${src.slice(at, m.index)}    lazyType(proto, ${JSON.stringify(m[1])});`;
          at = end + close.length - 1;
          count++;
        }
        if (count < 100) fail(`only ${count} types`);
        out += src.slice(at);
        const helper = `import { readFileSync as __waRead } from "node:fs";
import { runInThisContext as __waRun } from "node:vm";
const __waDir = new URL("./waproto/", import.meta.url);
function lazyType(ns, name) {
  const set = (value) => Object.defineProperty(ns, name, { value, writable: true, configurable: true, enumerable: true });
  Object.defineProperty(ns, name, {
    configurable: true,
    enumerable: true,
    get() {
      const url = new URL(name + ".js", __waDir);
      const build = __waRun(__waRead(url, "utf8"), { filename: url.pathname });
      const value = build($protobuf, $Reader, $Writer, $util, $root, longToString, longToNumber);
      set(value);
      return value;
    },
    set,
  });
}
`;
        return { contents: out.replace(anchor, helper + anchor), loader: "js" };
      });
    },
  };
}
