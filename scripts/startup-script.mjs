// Used by scripts/bundle.mjs (and checked by test/ops/bundle.test.ts).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { builtinsWithoutFacade } from "./node-builtins.mjs";

const require = createRequire(import.meta.url);

/** First line of a file the start-up script replaced (what remains of it: exports taken from there). */
export const FACADE_MARK = "// start-up path: see scripts/startup-script.mjs";
/** The loader's file (src/startup/loader.ts). */
export const LOADER = "startup-loader.cjs";
/** The name dynamic imports get in the script: as long as `import`, so source map columns still hold. */
const DYNAMIC_IMPORT = "$dynim";

/**
 * Puts the files of the start-up path (`program` and `start`, the chunks merged for them, and what
 * they import statically) into one classic script, `startup-<hash>.cjs`, which src/startup/loader.ts
 * compiles with V8's code cache (the loader's header says why), and builds the entry point,
 * dist/index.js, which runs the command line from there. Each of those files becomes a module that
 * awaits its exports from the loader, so chunks loaded later that import them are unchanged.
 *
 * In the script each module is evaluated when first loaded, in the same order as before: the entry
 * maps each file to its dynamic import, which the bundler turns into lazy initialisation. `import()`
 * of anything else (a channel's chunk, a provider's SDK) is handed to the loader, which resolves it
 * from dist/ as the file it came from would have. `import.meta.url` is the script's URL, in the same
 * folder.
 *
 * A module's exports are read once, when a later chunk first imports them, not live: the build
 * fails if anything assigns to an exported binding after its declaration.
 *
 * `dist` is the output folder, `program` and `start` the names of those chunks' files in it, and
 * `options` how the bundle is written. Returns the script's name and the files it holds.
 */
export async function buildStartupScript({ dist, program, start, options }) {
  const ts = require("typescript");
  const parse = (name, text = read(dist, name)) => ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);

  // The files: `program`, `start` and their static imports.
  const files = [];
  const visit = (name) => {
    if (files.includes(name)) return;
    files.push(name);
    for (const spec of staticImports(ts, parse(name))) {
      if (!spec.startsWith("./")) throw new Error(`startup-script: ${name} imports ${spec} statically; the script cannot`);
      visit(spec.slice(2));
    }
  };
  visit(program);
  visit(start);

  checkNoReassignedExports(ts, dist, files);
  const exportsOf = new Map(files.map((f) => [f, exportNames(ts, parse(f))]));

  const entry = `export const modules = {\n${files.map((f) => `  ${JSON.stringify(f)}: () => import(${JSON.stringify(`./${f}`)}),`).join("\n")}\n};\n`;
  const inScript = new Set(files.map((f) => path.join(dist, f)));
  const result = await build({
    stdin: { contents: entry, resolveDir: dist, sourcefile: "startup-entry.js", loader: "js" },
    outfile: path.join(dist, "startup.cjs"),
    ...options,
    format: "cjs",
    write: false,
    bundle: true,
    define: { "import.meta.url": "__startupUrl" },
    // The script is a function of what a CommonJS module gets, its URL and how to import.
    banner: { js: `(function(require,module,exports,__startupUrl,${DYNAMIC_IMPORT}){` },
    footer: { js: "})" },
    plugins: [
      builtinsWithoutFacade(),
      {
        name: "startup-script",
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === "entry-point") return undefined;
            const file = args.path.startsWith("./") ? path.join(args.resolveDir, args.path) : null;
            if (file && inScript.has(file)) return { path: file };
            if (args.kind !== "dynamic-import") throw new Error(`startup-script: a static import of ${args.path} cannot leave the script`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  if (result.warnings.length) throw new Error(`startup-script: ${result.warnings.map((w) => w.text).join("; ")}`);
  const jsOut = result.outputFiles.find((f) => f.path.endsWith(".cjs"));
  const mapOut = result.outputFiles.find((f) => f.path.endsWith(".cjs.map"));

  // `import(x)` cannot run in a script compiled from a cache: it becomes a call of the loader's import.
  let js = jsOut.text;
  if (js.split(DYNAMIC_IMPORT).length !== 2) throw new Error(`startup-script: the bundle already uses the name ${DYNAMIC_IMPORT}`);
  const sf = parse("startup.cjs", js);
  const at = [];
  const find = (n) => {
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) at.push(n.expression.getStart(sf));
    else if (ts.isMetaProperty(n) || ts.isImportDeclaration(n) || ts.isExportDeclaration(n))
      throw new Error(`startup-script: ${n.getText(sf).slice(0, 60)} cannot be in a classic script`);
    ts.forEachChild(n, find);
  };
  find(sf);
  for (const i of at.sort((a, b) => b - a)) js = js.slice(0, i) + DYNAMIC_IMPORT + js.slice(i + "import".length);

  // Read at every start: pure ASCII is read and held as one byte a character, anything else as two.
  const wide = /[^\x00-\x7f]/.exec(js);
  if (wide)
    throw new Error(
      `startup-script: the script would not be ASCII (${JSON.stringify(js.slice(wide.index - 40, wide.index + 10))}): write that character as \\u${wide[0].charCodeAt(0).toString(16).padStart(4, "0")} in its source`,
    );
  const hash = crypto.createHash("sha256").update(js).digest("hex").slice(0, 8).toUpperCase();
  const name = `startup-${hash}.cjs`;
  js = js.replace(/\/\/# sourceMappingURL=startup\.cjs\.map\s*$/, `//# sourceMappingURL=${name}.map\n`);
  fs.writeFileSync(path.join(dist, name), js);
  if (mapOut) fs.writeFileSync(path.join(dist, `${name}.map`), mapOut.contents);

  // The loader (CommonJS, so that the entry point can require it), told the script's name.
  await build({
    entryPoints: [fileURLToPath(new URL("../src/startup/loader.ts", import.meta.url))],
    outfile: path.join(dist, LOADER),
    ...options,
    format: "cjs",
    bundle: true,
    define: { __STARTUP_SCRIPT__: JSON.stringify(name), "import.meta.url": "__loaderUrl" },
    banner: { js: 'const __loaderUrl = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [builtinsWithoutFacade()],
  });

  // The entry point, CommonJS: an ES module entry point makes Node set up its ES module loader
  // before anything runs (some 6-11 ms on a small machine), and nothing else before the gateway
  // listens needs it. dist/ is a CommonJS package scope for it; every ES module there is a .mjs.
  await build({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    outfile: path.join(dist, "index.js"),
    ...options,
    format: "cjs",
    bundle: true,
    plugins: [
      builtinsWithoutFacade(),
      {
        name: "cli-from-startup-script",
        setup(b) {
          b.onResolve({ filter: /^\.\/startup\/cli\.js$/ }, () => ({ path: "cli", namespace: "startup-cli" }));
          b.onResolve({ filter: new RegExp(`^\\./${LOADER.replace(".", "\\.")}$`) }, (a) => ({ path: a.path, external: true }));
          b.onLoad({ filter: /.*/, namespace: "startup-cli" }, () => ({
            contents: `export const loadCli = () => require("./${LOADER}").load(${JSON.stringify(program)});`,
            loader: "js",
          }));
        },
      },
    ],
  });
  fs.writeFileSync(path.join(dist, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

  for (const f of files) {
    const names = exportsOf.get(f);
    const lines = [
      FACADE_MARK,
      `import loader from "./${LOADER}";`,
      `const m = await loader.load(${JSON.stringify(f)});`,
      ...names.map((n) => (n === "default" ? "export default m.default;" : `export const ${n} = m.${n};`)),
    ];
    fs.writeFileSync(path.join(dist, f), `${lines.join("\n")}\n`);
    fs.rmSync(path.join(dist, `${f}.map`), { force: true });
  }
  return { name, files };
}

const read = (dist, name) => fs.readFileSync(path.join(dist, name), "utf8");

function staticImports(ts, sf) {
  return sf.statements.flatMap((s) =>
    (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier ? [s.moduleSpecifier.text] : [],
  );
}

/** The names a bundle file exports (`export { a as b }` clauses, all the bundler writes). */
function exportNames(ts, sf) {
  const names = [];
  for (const s of sf.statements) {
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause) for (const e of s.exportClause.elements) names.push(e.name.text);
    else if (ts.isExportDeclaration(s) || ts.isExportAssignment(s) || s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
      throw new Error(`startup-script: ${sf.fileName} has an export the script cannot carry: ${s.getText(sf).slice(0, 60)}`);
  }
  return names;
}

/**
 * Fails if anything in `files` assigns to a binding one of them exports (outside its declaration):
 * a module loaded later reads each export once, so it would keep the old value.
 */
function checkNoReassignedExports(ts, dist, files) {
  const program = ts.createProgram(
    files.map((f) => path.join(dist, f)),
    { allowJs: true, noEmit: true, noResolve: true, noLib: true, types: [] },
  );
  const checker = program.getTypeChecker();
  const problems = [];
  for (const f of files) {
    const sf = program.getSourceFile(path.join(dist, f));
    const exported = new Set();
    for (const s of sf.statements)
      if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause)
        for (const e of s.exportClause.elements) {
          const sym = checker.getExportSpecifierLocalTargetSymbol(e);
          if (sym) exported.add(sym);
        }
    const target = (n) => {
      if (ts.isIdentifier(n)) {
        const sym = checker.getSymbolAtLocation(n);
        if (sym && exported.has(sym)) problems.push(`${f}: ${n.text} at ${n.getStart(sf)}`);
      } else if (ts.isParenthesizedExpression(n)) target(n.expression);
      else if (ts.isArrayLiteralExpression(n)) n.elements.forEach((e) => target(ts.isSpreadElement(e) ? e.expression : e));
      else if (ts.isObjectLiteralExpression(n))
        for (const p of n.properties) {
          if (ts.isShorthandPropertyAssignment(p)) target(p.name);
          else if (ts.isPropertyAssignment(p)) target(p.initializer);
          else if (ts.isSpreadAssignment(p)) target(p.expression);
        }
      else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) target(n.left);
    };
    const visit = (n) => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      )
        target(n.left);
      else if (
        (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
        [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(n.operator)
      )
        target(n.operand);
      else if ((ts.isForInStatement(n) || ts.isForOfStatement(n)) && !ts.isVariableDeclarationList(n.initializer)) target(n.initializer);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  if (problems.length)
    throw new Error(
      `startup-script: exported bindings assigned after their declaration (later chunks would not see it): ${problems.join(", ")}`,
    );
}
