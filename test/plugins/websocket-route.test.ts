/**
 * `api.registerWebSocketRoute`: a plugin takes WebSocket upgrades on its exact path before the
 * gateway's own protocol, without the gateway token (it authenticates the socket itself); every
 * other path still reaches the gateway protocol, and a second plugin cannot take the same path.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { WebSocket } from "ws";
import { tmpDir } from "../helpers/cleanup.js";
import { connect, startTestGateway } from "../helpers/gateway.js";
import { PluginRegistry } from "../../src/plugins/registry.js";
import { newPluginRecord } from "../../src/plugins/types.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A plugin answering the WebSocket handshake itself (no library) and greeting with one text frame. */
function wsPlugin(): string {
  const dir = tmpDir("oc-ws-plugin-");
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "openclaw.plugin.json"), JSON.stringify({ id: "wsr", configSchema: { type: "object" } }));
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `import { createHash } from "node:crypto";
    export default function register(api) {
      api.registerWebSocketRoute({
        path: "/wsr/stream",
        handler(req, socket) {
          const accept = createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
          const head = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + accept, "", ""];
          socket.write(head.join(String.fromCharCode(13, 10)));
          const text = Buffer.from("plugin " + req.url);
          socket.write(Buffer.concat([Buffer.from([0x81, text.length]), text]));
          socket.on("data", () => undefined);
          socket.on("end", () => socket.destroy());
        },
      });
    }`,
  );
  return dir;
}

describe("plugin WebSocket routes", { timeout: 60_000 }, () => {
  it("hands upgrades on the plugin's path to it and everything else to the gateway", async () => {
    const token = "ws-route-test-token-123456";
    const gw = await startTestGateway({ token, config: { gateway: { mode: "local" }, plugins: { load: { paths: [wsPlugin()] } } } });
    try {
      const ws = new WebSocket(`${gw.wsUrl.replace(/\/$/, "")}/wsr/stream?x=1`);
      const first = await new Promise<string>((resolve, reject) => {
        ws.once("message", (d) => resolve(d.toString()));
        ws.once("error", reject);
      });
      assert.equal(first, "plugin /wsr/stream?x=1");
      ws.terminate();
      // The gateway protocol still answers on its own path.
      const c = await connect(gw.wsUrl, { token });
      const status = await c.request<{ plugins: Array<{ id: string }> }>("status");
      assert.ok(status.plugins.some((p) => p.id === "wsr"));
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("refuses a second plugin on a taken path", () => {
    const registry = new PluginRegistry();
    const rec = (id: string) =>
      newPluginRecord({ id, name: id, source: `test:${id}`, rootDir: "", manifestPath: "", origin: "config" } as never);
    const handler = () => undefined;
    assert.equal(registry.registerWebSocketRoute(rec("a"), { path: "voice/stream", handler }), true);
    assert.equal(registry.webSocketRoutes[0]!.path, "/voice/stream");
    assert.equal(registry.registerWebSocketRoute(rec("b"), { path: "/voice/stream", handler }), false);
    assert.ok(registry.diagnostics.some((d) => d.message.includes("/voice/stream")));
  });
});
