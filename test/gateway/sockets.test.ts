/** The socket guard keeps descriptors for the owner under a flood (`src/gateway/sockets.ts`). */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { SocketGuard, defaultMaxSockets } from "../../src/gateway/sockets.js";

interface Harness {
  guard: SocketGuard;
  server: net.Server;
  port: number;
  accepted: net.Socket[];
}

async function harness(opts: ConstructorParameters<typeof SocketGuard>[0]): Promise<Harness> {
  const guard = new SocketGuard(opts);
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => {
    accepted.push(s);
    guard.admit(s, (s.remoteAddress ?? "").replace(/^::ffff:/, ""));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { guard, server, port: (server.address() as net.AddressInfo).port, accepted };
}

/** Opens a client socket and resolves once the server side exists. */
async function open(h: Harness): Promise<{ client: net.Socket; server: net.Socket; closed: Promise<void> }> {
  const before = h.accepted.length;
  const client = net.connect(h.port, "127.0.0.1");
  client.on("error", () => undefined);
  const closed = new Promise<void>((r) => client.once("close", () => r()));
  await new Promise<void>((resolve) => {
    const check = () => (h.accepted.length > before ? resolve() : setImmediate(check));
    check();
  });
  return { client, server: h.accepted[h.accepted.length - 1]!, closed };
}

const servers: net.Server[] = [];
after(() => servers.forEach((s) => s.close()));

describe("socket guard", { timeout: 20_000 }, () => {
  it("keeps a reserve of descriptors below the process limit", () => {
    assert.equal(defaultMaxSockets(1024), 768);
    assert.equal(defaultMaxSockets(256), 192);
    assert.equal(defaultMaxSockets(1_000_000), 4096);
    assert.equal(defaultMaxSockets(40), 16);
  });

  it("at the cap, pushes out the oldest socket that never sent a request, never an authenticated one", async () => {
    const h = await harness({ maxSockets: 3, idleMs: 60_000 });
    servers.push(h.server);
    const owner = await open(h);
    h.guard.active(owner.server);
    h.guard.authenticated(owner.server);
    const idle1 = await open(h);
    const idle2 = await open(h);
    const newcomer = await open(h);
    await idle1.closed;
    assert.equal(h.guard.evicted, 1);
    assert.ok(!owner.server.destroyed && !idle2.server.destroyed && !newcomer.server.destroyed);
    const another = await open(h);
    await idle2.closed;
    assert.ok(!owner.server.destroyed, "the owner's connection survives every push");
    for (const s of [owner, newcomer, another]) s.client.destroy();
  });

  it("closes a socket that sends no request head in time", async () => {
    const h = await harness({ maxSockets: 10, idleMs: 200 });
    servers.push(h.server);
    const quiet = await open(h);
    const busy = await open(h);
    h.guard.active(busy.server);
    await quiet.closed;
    assert.ok(!busy.server.destroyed, "a socket that sent its request is not timed out by the guard");
    busy.client.destroy();
  });

  it("limits unauthenticated sockets per address, except for exempt peers", async () => {
    const h = await harness({ maxSockets: 100, maxPendingPerPeer: 2, idleMs: 60_000 });
    servers.push(h.server);
    const a = await open(h);
    const b = await open(h);
    const c = await open(h);
    await c.closed;
    assert.equal(h.guard.refused, 1);
    h.guard.authenticated(a.server);
    const d = await open(h);
    assert.ok(!d.server.destroyed, "an authenticated socket frees its place");
    assert.equal(h.guard.refused, 1);
    for (const s of [a, b, d]) s.client.destroy();

    const exempt = await harness({ maxSockets: 100, maxPendingPerPeer: 1, idleMs: 60_000, exempt: () => true });
    servers.push(exempt.server);
    const x = await open(exempt);
    const y = await open(exempt);
    assert.equal(exempt.guard.refused, 0);
    for (const s of [x, y]) s.client.destroy();
  });
});
