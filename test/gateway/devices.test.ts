/**
 * Device identity and pairing over the protocol: a remote device waits for the owner's approval
 * (`NOT_PAIRED` with the request id), a device on this machine is paired at once, approved devices
 * get a per-role device token in `hello-ok.auth` and may sign in with it instead of the shared token,
 * and the owner rotates and revokes those tokens. The files are OpenClaw's
 * (`devices/pending.json`, `devices/paired.json`).
 *
 * "Remote" is a client behind a trusted proxy (127.0.0.1) that names it in X-Forwarded-For.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { GatewayClient } from "../../src/cli/client.js";
import { connect, fixture, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";
import { deviceConnect, deviceFromIdentityFile, newDevice, type DeviceConnectOptions, type TestDevice } from "../helpers/devices.js";

const TOKEN = "devices-test-token-8d1e4f";
const REMOTE = { "x-forwarded-for": "203.0.113.9" };
const timeout = 30_000;

/** The first event in `list` (received already or soon) that matches. */
async function eventIn(list: Array<{ event: string; payload: any }>, event: string, pred: (payload: any) => boolean) {
  return (await waitFor(() => list.find((e) => e.event === event && pred(e.payload)), 5000, event))!;
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

describe("device pairing", { timeout: 120_000 }, () => {
  let gw: TestGateway;
  /** The gateway's clock: tests move it forward to expire requests. */
  const clock = { offset: 0 };
  const now = () => Date.now() + clock.offset;
  /** An operator with the pairing scope, and one without. */
  let owner: GatewayClient;
  let reader: GatewayClient;
  const ownerEvents: Array<{ event: string; payload: any }> = [];
  const readerEvents: Array<{ event: string; payload: any }> = [];

  const pendingFile = () => path.join(gw.stateDir, "devices", "pending.json");
  const pairedFile = () => path.join(gw.stateDir, "devices", "paired.json");

  /** Connects, and closes the socket again when the connect was accepted. */
  async function attempt(device: TestDevice | undefined, opts: DeviceConnectOptions = {}) {
    const r = await deviceConnect(gw.wsUrl, { token: TOKEN, signedAt: now(), ...opts, ...(device ? { device } : {}) });
    if (r.res.ok) {
      r.ws.close();
      await r.closed;
    }
    return r;
  }

  /** A remote device's pairing request id (it is refused with NOT_PAIRED). */
  async function requestPairing(device: TestDevice, opts: DeviceConnectOptions = {}): Promise<string> {
    const r = await attempt(device, { headers: REMOTE, ...opts });
    assert.equal(r.res.ok, false, "an unpaired remote device is not let in");
    assert.equal(r.res.error?.code, "NOT_PAIRED", JSON.stringify(r.res.error));
    return r.res.error!.details.requestId;
  }

  async function approve(requestId: string) {
    return owner.request<any>("device.pair.approve", { requestId });
  }

  before(async () => {
    gw = await startTestGateway({ token: TOKEN, now, config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } } });
    owner = await connect(gw.wsUrl, {
      token: TOKEN,
      scopes: ["operator.pairing"],
      onEvent: (event, payload) => ownerEvents.push({ event, payload }),
    });
    reader = await connect(gw.wsUrl, {
      token: TOKEN,
      scopes: ["operator.read"],
      onEvent: (event, payload) => readerEvents.push({ event, payload }),
    });
  });
  after(async () => {
    owner?.close();
    reader?.close();
    await gw?.close();
  });

  it(
    "an unpaired remote device is refused with NOT_PAIRED and a request id; the request is stored and announced",
    { timeout },
    async () => {
      const device = newDevice();
      const r = await attempt(device, { headers: REMOTE, displayName: "phone" });
      assert.equal(r.res.ok, false);
      const requestId = r.res.error?.details?.requestId;
      assert.deepEqual(r.res.error, { code: "NOT_PAIRED", message: "pairing required", details: { requestId } });
      assert.match(requestId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(await r.closed, { code: 1008, reason: "pairing required" });

      const pending = readJson(pendingFile());
      const req = pending[requestId];
      assert.equal(req.deviceId, device.id);
      assert.equal(req.publicKey, device.publicKey);
      assert.deepEqual(
        { role: req.role, roles: req.roles, scopes: req.scopes, remoteIp: req.remoteIp, silent: req.silent, isRepair: req.isRepair },
        {
          role: "operator",
          roles: ["operator"],
          scopes: ["operator.read", "operator.write"],
          remoteIp: "203.0.113.9",
          silent: false,
          isRepair: false,
        },
      );
      assert.equal(req.displayName, "phone");
      assert.equal(req.clientId, "test");
      assert.equal(typeof req.ts, "number");

      const announced = await eventIn(ownerEvents, "device.pair.requested", (p) => p.requestId === requestId);
      assert.deepEqual(announced.payload, req);
      // Events go out to everyone at once: after a round trip, the reader would have it too.
      await reader.request("health");
      assert.equal(readerEvents.filter((e) => e.event.startsWith("device.pair.")).length, 0, "only pairing operators hear pairing events");

      // Trying again reuses the request; nothing new is announced.
      assert.equal(await requestPairing(device), requestId);
      assert.equal(Object.values(readJson(pendingFile())).filter((p: any) => p.deviceId === device.id).length, 1);
      assert.equal(ownerEvents.filter((e) => e.event === "device.pair.requested" && e.payload.deviceId === device.id).length, 1);

      const list = await owner.request<any>("device.pair.list", {});
      assert.ok(list.pending.some((p: any) => p.requestId === requestId));
    },
  );

  it("approve: the device connects and gets its device token in hello-ok.auth, then signs in with it alone", { timeout }, async () => {
    const device = newDevice();
    const requestId = await requestPairing(device);
    const approved = await approve(requestId);
    assert.equal(approved.requestId, requestId);
    assert.equal(approved.device.deviceId, device.id);
    assert.deepEqual(approved.device.roles, ["operator"]);
    assert.equal(approved.device.tokens[0].role, "operator");
    assert.equal("token" in approved.device.tokens[0], false, "approve never returns the secret");
    const resolved = await eventIn(ownerEvents, "device.pair.resolved", (p) => p.requestId === requestId);
    assert.deepEqual(Object.keys(resolved.payload).sort(), ["decision", "deviceId", "requestId", "ts"]);
    assert.equal(resolved.payload.decision, "approved");
    assert.equal(readJson(pendingFile())[requestId], undefined, "the request is gone once approved");

    const first = await attempt(device, { headers: REMOTE });
    assert.equal(first.res.ok, true, JSON.stringify(first.res.error));
    const auth = first.res.payload.auth;
    assert.deepEqual(Object.keys(auth).sort(), ["deviceToken", "issuedAtMs", "role", "scopes"]);
    assert.equal(auth.role, "operator");
    assert.deepEqual(auth.scopes, ["operator.read", "operator.write"]);
    const stored = readJson(pairedFile())[device.id];
    assert.equal(stored.tokens.operator.token, auth.deviceToken);
    assert.equal(auth.issuedAtMs, stored.tokens.operator.createdAtMs);
    assert.equal(stored.remoteIp, "203.0.113.9");

    // The device token instead of the shared token, with the device's signature.
    const again = await deviceConnect(gw.wsUrl, { device, token: auth.deviceToken, headers: REMOTE, signedAt: now() });
    assert.equal(again.res.ok, true, JSON.stringify(again.res.error));
    assert.equal(again.res.payload.auth.deviceToken, auth.deviceToken, "the same token while it is valid");
    assert.equal((await again.request("health")).ok, true);
    again.ws.close();
    assert.equal(typeof readJson(pairedFile())[device.id].tokens.operator.lastUsedAtMs, "number");

    // Without the device's signature the device token is just a wrong shared token.
    const bare = await attempt(undefined, { token: auth.deviceToken, headers: REMOTE });
    assert.equal(bare.res.error?.code, "UNAUTHORIZED");
    // Another device cannot use it either.
    const other = await attempt(newDevice(), { token: auth.deviceToken, headers: REMOTE });
    assert.equal(other.res.error?.code, "UNAUTHORIZED");
    // More scopes than the token carries: the shared secret is needed, and then the owner's approval.
    const wider = await attempt(device, { token: auth.deviceToken, headers: REMOTE, scopes: ["operator.admin"] });
    assert.equal(wider.res.error?.code, "UNAUTHORIZED");
    const upgrade = await attempt(device, { headers: REMOTE, scopes: ["operator.admin"] });
    assert.equal(upgrade.res.error?.code, "NOT_PAIRED");
    assert.equal(readJson(pendingFile())[upgrade.res.error!.details.requestId].isRepair, true);

    const list = await owner.request<any>("device.pair.list", {});
    const listed = list.paired.find((d: any) => d.deviceId === device.id);
    assert.ok(listed);
    assert.equal(JSON.stringify(list).includes(auth.deviceToken), false, "lists never carry token secrets");
    assert.deepEqual(Object.keys(listed.tokens[0]).sort(), ["createdAtMs", "lastUsedAtMs", "role", "scopes"]);
  });

  it("reject: the request is dropped and announced, the device stays out", { timeout }, async () => {
    const device = newDevice();
    const requestId = await requestPairing(device);
    const rejected = await owner.request<any>("device.pair.reject", { requestId });
    assert.deepEqual(rejected, { requestId, deviceId: device.id });
    const resolved = await eventIn(ownerEvents, "device.pair.resolved", (p) => p.requestId === requestId);
    assert.equal(resolved.payload.decision, "rejected");
    assert.equal(readJson(pendingFile())[requestId], undefined);
    await assert.rejects(approve(requestId), /INVALID_REQUEST: unknown requestId/);
    const next = await requestPairing(device);
    assert.notEqual(next, requestId, "a new attempt is a new request");
  });

  it("rotate and revoke: the old token stops working; the shared token brings a new one", { timeout }, async () => {
    const device = newDevice();
    await approve(await requestPairing(device));
    const first = (await attempt(device, { headers: REMOTE })).res.payload.auth.deviceToken;

    const rotated = await owner.request<any>("device.token.rotate", { deviceId: device.id, role: "operator" });
    assert.deepEqual(Object.keys(rotated).sort(), ["deviceId", "role", "rotatedAtMs", "scopes", "token"]);
    assert.notEqual(rotated.token, first);
    assert.deepEqual(rotated.scopes, ["operator.read", "operator.write"]);
    assert.equal((await attempt(device, { token: first, headers: REMOTE })).res.error?.code, "UNAUTHORIZED");
    const withNew = await attempt(device, { token: rotated.token, headers: REMOTE });
    assert.equal(withNew.res.ok, true, JSON.stringify(withNew.res.error));
    assert.equal(withNew.res.payload.auth.issuedAtMs, rotated.rotatedAtMs);

    // Rotating with scopes narrows the token (and the device's pairing).
    const narrowed = await owner.request<any>("device.token.rotate", { deviceId: device.id, role: "operator", scopes: ["operator.read"] });
    assert.deepEqual(narrowed.scopes, ["operator.read"]);
    assert.deepEqual(readJson(pairedFile())[device.id].scopes, ["operator.read"]);
    assert.equal((await attempt(device, { token: narrowed.token, headers: REMOTE, scopes: ["operator.read"] })).res.ok, true);

    const revoked = await owner.request<any>("device.token.revoke", { deviceId: device.id, role: "operator" });
    assert.deepEqual(Object.keys(revoked).sort(), ["deviceId", "revokedAtMs", "role"]);
    assert.equal(typeof readJson(pairedFile())[device.id].tokens.operator.revokedAtMs, "number");
    assert.equal(
      (await attempt(device, { token: narrowed.token, headers: REMOTE, scopes: ["operator.read"] })).res.error?.code,
      "UNAUTHORIZED",
    );
    const fresh = await attempt(device, { headers: REMOTE, scopes: ["operator.read"] });
    assert.equal(fresh.res.ok, true, JSON.stringify(fresh.res.error));
    assert.notEqual(fresh.res.payload.auth.deviceToken, narrowed.token, "a revoked token is replaced, never handed out again");

    await assert.rejects(
      owner.request("device.token.rotate", { deviceId: "f".repeat(64), role: "operator" }),
      /INVALID_REQUEST: unknown deviceId\/role/,
    );
    await assert.rejects(
      owner.request("device.token.revoke", { deviceId: device.id, role: "node" }),
      /INVALID_REQUEST: unknown deviceId\/role/,
    );
    await assert.rejects(owner.request("device.token.rotate", { deviceId: device.id }), /invalid device.token.rotate params: role/);
  });

  it("a pending request expires after 5 minutes", { timeout }, async () => {
    const device = newDevice();
    const requestId = await requestPairing(device);
    clock.offset += 4 * 60_000;
    assert.ok(
      (await owner.request<any>("device.pair.list", {})).pending.some((p: any) => p.requestId === requestId),
      "still there after 4 min",
    );
    clock.offset += 61_000;
    try {
      assert.equal(
        (await owner.request<any>("device.pair.list", {})).pending.some((p: any) => p.requestId === requestId),
        false,
      );
      await assert.rejects(approve(requestId), /unknown requestId/);
      const next = await requestPairing(device);
      assert.notEqual(next, requestId);
    } finally {
      clock.offset = 0;
    }
  });

  it("a device on this machine is paired at once, without a request to approve", { timeout }, async () => {
    const device = newDevice();
    const r = await attempt(device);
    assert.equal(r.res.ok, true, JSON.stringify(r.res.error));
    assert.equal(typeof r.res.payload.auth.deviceToken, "string");
    const stored = readJson(pairedFile())[device.id];
    assert.equal(stored.remoteIp, undefined, "no address is recorded for a local client");
    assert.equal(stored.tokens.operator.token, r.res.payload.auth.deviceToken);
    const resolved = await eventIn(ownerEvents, "device.pair.resolved", (p) => p.deviceId === device.id);
    assert.equal(resolved.payload.decision, "approved");
    assert.equal(
      ownerEvents.some((e) => e.event === "device.pair.requested" && e.payload.deviceId === device.id),
      false,
    );
    assert.equal(
      Object.values(readJson(pendingFile())).some((p: any) => p.deviceId === device.id),
      false,
    );
  });

  it("refuses a tampered signature, a wrong or missing nonce, a stale signature; none of them leaves a request", { timeout }, async () => {
    const device = newDevice();
    const cases: Array<[DeviceConnectOptions, RegExp]> = [
      [{ tamper: true }, /^device signature invalid$/],
      [{ nonce: "not-the-servers-nonce" }, /^device nonce mismatch$/],
      [{ nonce: null }, /^device nonce required$/],
      [{ signedAt: now() - 11 * 60_000 }, /^device signature expired$/],
    ];
    for (const [opts, message] of cases) {
      const r = await attempt(device, { headers: REMOTE, ...opts });
      assert.equal(r.res.error?.code, "INVALID_REQUEST", JSON.stringify(opts));
      assert.match(r.res.error!.message, message);
      assert.equal((await r.closed).code, 1008);
    }
    const forged = await attempt({ ...device, publicKey: newDevice().publicKey }, { headers: REMOTE });
    assert.equal(forged.res.error?.message, "device identity mismatch");
    const pending = fs.existsSync(pendingFile()) ? readJson(pendingFile()) : {};
    assert.equal(
      Object.values(pending).some((p: any) => p.deviceId === device.id),
      false,
    );
    // A wrong shared token with a well-signed device is an auth failure, not a pairing request.
    const wrong = await attempt(newDevice(), { headers: REMOTE, token: "wrong" });
    assert.equal(wrong.res.error?.code, "UNAUTHORIZED");
  });

  it("checks the signature over what the client sent: its spelling of the client id, the scopes it asked for", { timeout }, async () => {
    // No scopes requested: signed as an empty list (the connection still gets the default scopes).
    const none = await attempt(newDevice(), { scopes: null });
    assert.equal(none.res.ok, true, JSON.stringify(none.res.error));
    // An older client id, which the gateway reports under its current name.
    const legacy = await attempt(newDevice(), { clientId: "clawdbot-probe", mode: "probe" });
    assert.equal(legacy.res.ok, true, JSON.stringify(legacy.res.error));
  });

  it("a client without a device identity still signs in with the token, local or remote", { timeout }, async () => {
    for (const headers of [{}, REMOTE]) {
      const r = await attempt(undefined, { headers });
      assert.equal(r.res.ok, true, JSON.stringify(r.res.error));
      assert.equal(r.res.payload.auth, undefined, "no device, no device token");
    }
    const cli = await connect(gw.wsUrl, { token: TOKEN });
    assert.equal((await cli.request<any>("health")).ok, true);
    cli.close();
  });

  it("the Control UI must show a device identity, unless gateway.controlUi.allowInsecureAuth allows token-only", { timeout }, async () => {
    const ui = { clientId: "openclaw-control-ui", mode: "ui", headers: REMOTE };
    const refused = await attempt(undefined, ui);
    assert.equal(refused.res.error?.code, "INVALID_REQUEST");
    assert.match(refused.res.error!.message, /^control ui requires HTTPS or localhost \(secure context\).*allowInsecureAuth/);
    // With a device, the remote Control UI is paired like any other device.
    assert.equal((await attempt(newDevice(), ui)).res.error?.code, "NOT_PAIRED");

    const other = await startTestGateway({
      token: TOKEN,
      config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1"], controlUi: { allowInsecureAuth: true } } },
    });
    try {
      const tokenOnly = await deviceConnect(other.wsUrl, { ...ui, token: TOKEN });
      assert.equal(tokenOnly.res.ok, true, JSON.stringify(tokenOnly.res.error));
      tokenOnly.ws.close();
      // allowInsecureAuth also skips pairing for the Control UI when it has the shared token.
      const withDevice = await deviceConnect(other.wsUrl, { ...ui, token: TOKEN, device: newDevice() });
      assert.equal(withDevice.res.ok, true, JSON.stringify(withDevice.res.error));
      withDevice.ws.close();
      assert.equal(fs.existsSync(path.join(other.stateDir, "devices", "pending.json")), false);
    } finally {
      await other.close();
    }
  });

  it("pairing methods need operator.pairing (or admin)", { timeout }, async () => {
    await assert.rejects(reader.request("device.pair.list", {}), /FORBIDDEN: device.pair.list requires scope operator.pairing/);
    const admin = await connect(gw.wsUrl, { token: TOKEN, scopes: ["operator.admin"] });
    assert.ok(Array.isArray((await admin.request<any>("device.pair.list", {})).paired));
    admin.close();
    await assert.rejects(owner.request("device.pair.approve", {}), /invalid device.pair.approve params: requestId/);
  });
});

describe("device pairing state", { timeout: 60_000 }, () => {
  it("keeps the devices an OpenClaw state directory already paired", { timeout }, async () => {
    const gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } } });
    const paired = fixture("openclaw-devices/paired.json");
    fs.mkdirSync(path.join(gw.stateDir, "devices"));
    fs.writeFileSync(path.join(gw.stateDir, "devices", "paired.json"), paired);
    try {
      const device = deviceFromIdentityFile(JSON.parse(fixture("openclaw-devices/device.json")));
      const token = JSON.parse(paired)[device.id].tokens.operator.token;
      const scopes = ["operator.admin", "operator.approvals", "operator.pairing"];
      const r = await deviceConnect(gw.wsUrl, { device, token, headers: REMOTE, scopes, clientId: "cli", mode: "cli" });
      assert.equal(r.res.ok, true, JSON.stringify(r.res.error));
      assert.equal(r.res.payload.auth.deviceToken, token);
      const list = await r.request("device.pair.list", {});
      assert.equal(list.payload.paired[0].displayName, "laptop");
      r.ws.close();
    } finally {
      await gw.close();
    }
  });

  it("a state write that fails refuses that connect with the reason and leaves the gateway running", { timeout }, async () => {
    const gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } } });
    try {
      // `devices` is a file: nothing can be written under it.
      fs.writeFileSync(path.join(gw.stateDir, "devices"), "not a directory");
      const r = await deviceConnect(gw.wsUrl, { device: newDevice(), token: TOKEN, headers: REMOTE });
      assert.equal(r.res.error?.code, "UNAVAILABLE");
      assert.match(r.res.error!.message, /^cannot write .*devices\/pending\.json: /);
      const local = await deviceConnect(gw.wsUrl, { device: newDevice(), token: TOKEN });
      assert.equal(local.res.error?.code, "UNAVAILABLE");
      // Clients without a device are not affected.
      const plain = await connect(gw.wsUrl, { token: TOKEN });
      assert.equal((await plain.request<any>("health")).ok, true);
      plain.close();
    } finally {
      await gw.close();
    }
  });

  it("an unreadable paired.json is never overwritten", { timeout }, async () => {
    const gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } } });
    try {
      const file = path.join(gw.stateDir, "devices", "paired.json");
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, "{ broken");
      const r = await deviceConnect(gw.wsUrl, { device: newDevice(), token: TOKEN });
      assert.equal(r.res.error?.code, "UNAVAILABLE");
      assert.match(r.res.error!.message, /^cannot update .*paired\.json: it is not a JSON object; fix or move the file/);
      assert.equal(fs.readFileSync(file, "utf8"), "{ broken");
    } finally {
      await gw.close();
    }
  });
});
