// Used by scripts/merge-chunks.mjs.
import { builtinModules } from "node:module";

const names = new Set(builtinModules.flatMap((m) => (m.startsWith("node:") ? [m] : [m, `node:${m}`])));
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// Names that cannot be declared in a module (none of Node 20's built-ins exports one; kept out all the same).
const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval".split(
    " ",
  ),
);

/**
 * Gives Node's built-in modules through `process.getBuiltinModule` (Node 20.16+) instead of
 * `import … from "node:fs"`. An ES module import of a built-in makes Node build its ES module face,
 * which reads every export, and reading some of them loads more built-ins: `fs` its streams and
 * `promises`, `util` `MIMEType` and `parseArgs`, `module` its source maps, `crypto` the Web Crypto
 * API. Here each built-in is a module of the bundle whose default export is the module object and
 * whose named exports read one property each, marked pure: the bundler keeps only the names the
 * code imports, so nothing else is read, and what loads lazily in Node still loads only when used.
 */
export function builtinsWithoutFacade() {
  return {
    name: "builtins-without-facade",
    setup(b) {
      b.onResolve({ filter: /^[a-z_:/0-9]+$/ }, (args) => {
        if (!names.has(args.path)) return undefined;
        const id = args.path.startsWith("node:") ? args.path : `node:${args.path}`;
        return { path: id, namespace: "node-builtin" };
      });
      b.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => {
        const mod = process.getBuiltinModule(args.path);
        const exported = Object.getOwnPropertyNames(mod).filter((k) => IDENTIFIER.test(k) && !RESERVED.has(k));
        const lines = [
          `const m = process.getBuiltinModule(${JSON.stringify(args.path)});`,
          "const pick = (k) => m[k];",
          "export default m;",
        ];
        for (const k of exported) lines.push(`export const ${k} = /* @__PURE__ */ pick(${JSON.stringify(k)});`);
        return { contents: lines.join("\n"), loader: "js" };
      });
    },
  };
}
