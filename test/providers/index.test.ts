/** ProviderClients: SDKs load only when their API is first used, and clients are cached per API. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUILTIN_MODEL_APIS, ProviderClients } from "../../src/providers/index.js";
import { ProviderError, type Api } from "../../src/providers/types.js";
import { runInFreshNode } from "../helpers/fresh-node.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Runs `script` in a fresh Node with a module-resolution hook that prints (to stderr) every SDK module
 * it resolves, so the test sees exactly when each SDK is loaded.
 */
async function sdkLoads(script: string): Promise<string> {
  const hooks = `import fs from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\\/(@anthropic-ai\\/sdk|openai|@google\\/genai)\\//.exec(r.url);
  if (m) fs.writeSync(2, "SDK " + m[1] + "\\n");
  return r;
}
`;
  const register = `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`;
  const { stderr } = await runInFreshNode(script, { files: { "hooks.mjs": hooks, "register.mjs": register }, preloads: ["register.mjs"] });
  return stderr;
}

describe("ProviderClients", () => {
  const loadProviderClient = new ProviderClients(BUILTIN_MODEL_APIS).load;
  // Each loads SDKs (the first in a fresh Node with tsx): seconds on a busy machine.
  it("loads no SDK on import and only the used API's SDK on first use", { timeout: 60_000 }, async () => {
    const index = pathToFileURL(path.join(ROOT, "src/providers/index.ts")).href;
    const out = await sdkLoads(`
const { BUILTIN_MODEL_APIS, ProviderClients } = await import(${JSON.stringify(index)});
const loadProviderClient = new ProviderClients(BUILTIN_MODEL_APIS).load;
process.stderr.write("MARK imported\\n");
await loadProviderClient("openai-completions");
process.stderr.write("MARK openai\\n");
await loadProviderClient("anthropic-messages");
process.stderr.write("MARK anthropic\\n");
`);
    const lines = out.split("\n").filter((l) => l.startsWith("SDK ") || l.startsWith("MARK "));
    const section = (from: string, to: string) => new Set(lines.slice(lines.indexOf(from) + 1, lines.indexOf(to)));
    const before = new Set(lines.slice(0, lines.indexOf("MARK imported")));
    assert.ok(lines.includes("MARK anthropic"), out);
    assert.equal(before.size, 0, `no SDK before first use: ${[...before].join(", ")}`);
    assert.deepEqual([...section("MARK imported", "MARK openai")], ["SDK openai"]);
    assert.deepEqual([...section("MARK openai", "MARK anthropic")], ["SDK @anthropic-ai/sdk"]);
    assert.ok(!lines.includes("SDK @google/genai"), "Google's SDK was never needed");
  });

  it("returns the same client for the same API", { timeout: 60_000 }, async () => {
    const apis: Api[] = ["anthropic-messages", "openai-completions", "google-generative-ai"];
    for (const api of apis) {
      const [a, b] = await Promise.all([loadProviderClient(api), loadProviderClient(api)]);
      assert.equal(a, b);
      assert.equal(typeof a.stream, "function");
    }
    assert.notEqual(await loadProviderClient("anthropic-messages"), await loadProviderClient("openai-completions"));
  });

  it("rejects an API it does not implement with a bad_request ProviderError", async () => {
    await assert.rejects(loadProviderClient("bedrock-converse-stream" as Api), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.kind, "bad_request");
      assert.match(err.message, /bedrock-converse-stream/);
      return true;
    });
  });
});
