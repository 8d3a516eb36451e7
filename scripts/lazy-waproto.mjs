// An esbuild plugin used by scripts/bundle.mjs (and checked by test/channels/whatsapp/bundle.test.ts).
import fs from "node:fs";

/**
 * Baileys' WAProto/index.js is protobufjs static code for ~200 top-level message types (4 MB of
 * source): importing it builds every class, with its encode/decode/convert functions, ~25 MB resident
 * for a linked account that uses a handful of them until messages flow. Each top-level type becomes a
 * getter on `proto` that builds it on first use (and then stays a plain property), so only the types
 * an account actually touches are ever compiled. The generated file's layout is checked: if it ever
 * changes, the build fails rather than shipping a half-rewritten module.
 */
export function lazyWAProto() {
  return {
    name: "lazy-waproto",
    setup(b) {
      b.onLoad({ filter: /[\\/]@whiskeysockets[\\/]baileys[\\/]WAProto[\\/]index\.js$/ }, async (args) => {
        const src = await fs.promises.readFile(args.path, "utf8");
        const open = /^    proto\.([A-Za-z0-9_$]+) = \(function\(\) \{$/gm;
        const types = [...src.matchAll(open)].length;
        let out = src.replace(open, '    lazyType(proto, "$1", function() {');
        const closes = out.match(/^    \}\)\(\);$/gm)?.length ?? 0;
        out = out.replace(/^    \}\)\(\);$/gm, "    });");
        const anchor = "export const proto = $root.proto = (() => {";
        if (!types || types !== closes || !out.includes(anchor)) {
          throw new Error(`${args.path}: unexpected layout (${types} types, ${closes} ends); update lazyWAProto() in scripts/bundle.mjs`);
        }
        const helper = `function lazyType(ns, name, build) {
  Object.defineProperty(ns, name, {
    configurable: true,
    enumerable: true,
    get() {
      const value = build();
      Object.defineProperty(ns, name, { value, writable: true, configurable: true, enumerable: true });
      return value;
    },
    set(value) {
      Object.defineProperty(ns, name, { value, writable: true, configurable: true, enumerable: true });
    },
  });
}
`;
        return { contents: out.replace(anchor, helper + anchor), loader: "js" };
      });
    },
  };
}
