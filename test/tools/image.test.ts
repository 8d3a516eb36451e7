import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { createImageTool, sniffImageType } from "../../src/tools/image/image.js";
import { ToolRegistry, type ToolContext } from "../../src/tools/registry.js";
import type { ToolModels } from "../../src/tools/host.js";
import type { AssistantMessage, ModelSpec, UserMessage } from "../../src/providers/types.js";
import type { RunRequest } from "../../src/agents/failover.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { startTestGateway, tmpDir } from "../helpers/gateway.js";
import { KEYS, chatClient, fakeConfig, startFakes } from "../helpers/agents.js";

/** A 1×1 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(16)]);

const CONFIG = {
  agents: { defaults: { imageModel: { primary: "openai/gpt-vision", fallbacks: ["anthropic/claude-eyes"] } } },
} as unknown as OpenClawConfig;

interface Call {
  agentId: string;
  chain: string[];
  req: RunRequest;
}

/** Model service that records each request and answers with `reply` (or fails with `fail`). */
function fakeModels(reply: Partial<AssistantMessage> & { text?: string } = { text: "A single grey pixel." }, fail?: Error) {
  const calls: Call[] = [];
  const models: ToolModels = {
    stream(agentId, chain) {
      return async function* (req: RunRequest) {
        calls.push({ agentId, chain, req });
        if (fail) throw fail;
        const [provider, id] = chain[0]!.split("/") as [string, string];
        yield { type: "model", model: { provider, id } as ModelSpec, profileId: `${provider}:default` };
        if (reply.text) yield { type: "text_delta", delta: reply.text };
        const message: AssistantMessage = {
          role: "assistant",
          content: reply.text ? [{ type: "text", text: reply.text }] : [],
          api: "openai-completions",
          provider,
          model: id,
          usage: {
            input: 1,
            output: 1,
            cacheRead: 0,
            cacheWrite: 0,
            totalTokens: 2,
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
          },
          stopReason: reply.stopReason ?? "stop",
          ...(reply.errorMessage ? { errorMessage: reply.errorMessage } : {}),
          timestamp: Date.now(),
        };
        yield { type: "done", message };
        return message;
      };
    },
  };
  return { models, calls };
}

describe("image tool", () => {
  let workspace: string;
  before(() => {
    workspace = tmpDir();
    fs.writeFileSync(path.join(workspace, "pixel.png"), PNG);
    fs.writeFileSync(path.join(workspace, "photo.dat"), JPEG);
    fs.writeFileSync(path.join(workspace, "notes.png"), "not really a picture\n");
    fs.writeFileSync(path.join(workspace, "big.png"), Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]));
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  function ctx(models?: ToolModels, config: OpenClawConfig = CONFIG): ToolContext {
    return {
      sessionKey: "agent:main:main",
      agentId: "main",
      workspaceDir: workspace,
      signal: new AbortController().signal,
      now: Date.now,
      config,
      ...(models ? { host: { models } } : {}),
    };
  }
  const call = (args: Record<string, unknown>, c: ToolContext) => new ToolRegistry().register(createImageTool()).call("image", args, c);

  it("sends a workspace PNG with the prompt to the image model chain and returns its text", { timeout: 10_000 }, async () => {
    const { models, calls } = fakeModels();
    const r = await call({ image: "pixel.png", prompt: "What colour is it?" }, ctx(models));
    assert.equal(r.isError, undefined, r.text);
    assert.equal(r.text, "A single grey pixel.");
    assert.deepEqual(r.details, { model: "openai/gpt-vision", image: "pixel.png" });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.agentId, "main");
    assert.deepEqual(calls[0]!.chain, ["openai/gpt-vision", "anthropic/claude-eyes"]);
    const msgs = calls[0]!.req.messages as UserMessage[];
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.role, "user");
    assert.deepEqual(msgs[0]!.content, [
      { type: "text", text: "What colour is it?" },
      { type: "image", data: PNG.toString("base64"), mimeType: "image/png" },
    ]);
  });

  it("uses the default prompt, knows a JPEG by its bytes, and puts a model override first", { timeout: 10_000 }, async () => {
    const { models, calls } = fakeModels();
    const r = await call({ image: path.join(workspace, "photo.dat"), model: "anthropic/claude-eyes" }, ctx(models));
    assert.equal(r.isError, undefined, r.text);
    assert.deepEqual(calls[0]!.chain, ["anthropic/claude-eyes", "openai/gpt-vision"]);
    const content = (calls[0]!.req.messages[0] as UserMessage).content as Array<{ type: string; text?: string; mimeType?: string }>;
    assert.equal(content[0]!.text, "Describe the image.");
    assert.equal(content[1]!.mimeType, "image/jpeg");
  });

  it("accepts a data: URL", { timeout: 10_000 }, async () => {
    const { models, calls } = fakeModels();
    const r = await call({ image: `data:image/png;base64,${PNG.toString("base64")}` }, ctx(models));
    assert.equal(r.isError, undefined, r.text);
    assert.equal(((calls[0]!.req.messages[0] as UserMessage).content[1] as { mimeType: string }).mimeType, "image/png");
  });

  it("refuses a file that is not an image, whatever its name", { timeout: 10_000 }, async () => {
    const { models, calls } = fakeModels();
    const r = await call({ image: "notes.png" }, ctx(models));
    assert.equal(r.isError, true);
    assert.match(r.text, /notes\.png is not an image.*PNG, JPEG, GIF and WebP/);
    assert.equal(calls.length, 0);
  });

  it("refuses an image larger than maxBytesMb (default 6 MB, or agents.defaults.mediaMaxMb)", { timeout: 10_000 }, async () => {
    const { models, calls } = fakeModels();
    const r = await call({ image: "big.png", maxBytesMb: 1 }, ctx(models));
    assert.equal(r.isError, true);
    assert.match(r.text, /big\.png is 2 MB; the image tool accepts up to 1 MB/);
    const cfg = { agents: { defaults: { ...CONFIG.agents!.defaults, mediaMaxMb: 1 } } } as unknown as OpenClawConfig;
    assert.match((await call({ image: "big.png" }, ctx(models, cfg))).text, /accepts up to 1 MB/);
    assert.equal((await call({ image: "big.png" }, ctx(models))).isError, undefined);
    assert.equal(calls.length, 1);
  });

  it("stops reading a file that goes on past maxBytesMb whatever size it reports", { timeout: 10_000 }, async (t) => {
    if (!fs.existsSync("/dev/zero")) return t.skip("needs /dev/zero");
    const { models, calls } = fakeModels();
    const r = await call({ image: "/dev/zero", maxBytesMb: 1 }, ctx(models));
    assert.equal(r.isError, true);
    assert.match(r.text, /\/dev\/zero is larger than that; the image tool accepts up to 1 MB/);
    assert.equal(calls.length, 0);
  });

  it("says what is wrong with a missing file, an unknown scheme, a missing model service", { timeout: 10_000 }, async () => {
    const { models } = fakeModels();
    assert.match((await call({ image: "nowhere.png" }, ctx(models))).text, /nowhere\.png: it does not exist/);
    assert.match((await call({ image: "image:0" }, ctx(models))).text, /Unsupported image reference "image:0"/);
    assert.match((await call({ image: "pixel.png" }, ctx(undefined))).text, /offers no model service/);
  });

  it("in a sandboxed session, reads workspace files only", { timeout: 10_000 }, async () => {
    const { models, calls } = fakeModels();
    const sandboxed = {
      ...ctx(models),
      workspaceDir: "/nonexistent",
      sandbox: { workdir: "/workspace", hostDir: workspace, execArgv: () => [] },
    };
    assert.match((await call({ image: "/etc/hostname" }, sandboxed)).text, /outside the workspace; this session is sandboxed/);
    assert.match((await call({ image: "https://example.org/a.png" }, sandboxed)).text, /sandboxed.*not URLs/);
    assert.equal((await call({ image: "pixel.png" }, sandboxed)).isError, undefined);
    const inside = await call({ image: "/workspace/pixel.png" }, sandboxed);
    assert.equal(inside.isError, undefined, inside.text);
    assert.deepEqual(inside.details, { model: "openai/gpt-vision", image: "pixel.png" });
    assert.equal(calls.length, 2);
  });

  it("surfaces the image model's failure", { timeout: 10_000 }, async () => {
    const failing = fakeModels(undefined, new Error("All models failed: openai/gpt-vision: 401 invalid key"));
    const r = await call({ image: "pixel.png" }, ctx(failing.models));
    assert.equal(r.isError, true);
    assert.match(r.text, /could not describe pixel\.png: All models failed.*401 invalid key/);
    const erroring = fakeModels({ stopReason: "error", errorMessage: "overloaded" });
    assert.match((await call({ image: "pixel.png" }, ctx(erroring.models))).text, /openai\/gpt-vision failed: overloaded/);
    const empty = fakeModels({ text: "" });
    assert.match((await call({ image: "pixel.png" }, ctx(empty.models))).text, /answered with no text/);
  });

  it("loads an http URL through web_fetch's guard", { timeout: 10_000 }, async () => {
    const server = http.createServer((req, res) => {
      if (req.url === "/moved") return void res.writeHead(302, { location: "/pixel" }).end();
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(PNG);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { models, calls } = fakeModels();
      const refused = await call({ image: `${base}/pixel` }, ctx(models));
      assert.equal(refused.isError, true);
      assert.match(refused.text, /Refused to fetch 127\.0\.0\.1.*allowPrivateNetwork/);
      const cfg = { ...CONFIG, tools: { web: { fetch: { allowPrivateNetwork: true } } } } as OpenClawConfig;
      const r = await call({ image: `${base}/moved` }, ctx(models, cfg));
      assert.equal(r.isError, undefined, r.text);
      assert.deepEqual(r.details, { model: "openai/gpt-vision", image: `${base}/pixel` });
      assert.equal(((calls[0]!.req.messages[0] as UserMessage).content[1] as { data: string }).data, PNG.toString("base64"));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("is offered only when agents.defaults.imageModel is configured", () => {
    const tool = createImageTool();
    const at = (config: unknown) => tool.available!({ config: config as OpenClawConfig, agentId: "main", provider: "a", modelId: "m" });
    assert.equal(at(CONFIG), true);
    assert.equal(at({ agents: { defaults: { imageModel: { fallbacks: ["openai/x"] } } } }), true);
    assert.equal(at({ agents: { defaults: { imageModel: {} } } }), false);
    assert.equal(at({}), false);
  });

  it("knows PNG, JPEG, GIF and WebP by their first bytes", () => {
    assert.equal(sniffImageType(PNG), "image/png");
    assert.equal(sniffImageType(JPEG), "image/jpeg");
    assert.equal(sniffImageType(Buffer.from("GIF89a......")), "image/gif");
    assert.equal(sniffImageType(Buffer.from("RIFF\0\0\0\0WEBPVP8 ")), "image/webp");
    assert.equal(sniffImageType(Buffer.from("%PDF-1.7")), undefined);
  });
});

describe("image tool through the gateway", () => {
  it("sends the picture to the image model and gives its answer to the chat model", { timeout: 60_000 }, async () => {
    const dir = tmpDir();
    const picture = path.join(dir, "pixel.png");
    fs.writeFileSync(picture, PNG);
    const f = await startFakes();
    const config = fakeConfig(f);
    config.agents.defaults = { ...config.agents.defaults, imageModel: { primary: "openai/gpt-4o" } } as typeof config.agents.defaults;
    const gw = await startTestGateway({ config, env: KEYS });
    try {
      f.anthropic.enqueue(
        { toolCalls: [{ name: "image", arguments: { image: picture, prompt: "What is in the picture?" } }] },
        { text: "It is one grey pixel." },
      );
      f.openai.enqueue({ text: "A single grey pixel on its own." });
      const c = await chatClient(gw);
      const out = await c.send("look at my picture", "agent:main:image");
      assert.equal(out.text, "It is one grey pixel.");
      assert.ok(f.anthropic.requests[0]!.toolNames.includes("image"), "the model is offered the image tool");
      const seen = f.openai.requests[0]!;
      assert.equal(seen.hasImage, true);
      assert.equal(seen.messages.at(-1)!.text, "What is in the picture?");
      assert.equal(f.anthropic.requests[1]!.toolResults[0]!.content, "A single grey pixel on its own.");
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
