/**
 * The runtime image without Docker: a clean `git archive HEAD` (exactly what `docker build` gets
 * from a checkout), the built dist/ copied in and production dependencies installed the way the
 * Dockerfile's stages do, then fly.toml's process command started with fly.toml's [env].
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT, killOnExit, tmpDir, waitFor } from "../helpers/gateway.js";
import { dockerStages, execForm, keyword, readToml } from "./helpers.js";

const run = promisify(execFile);
const app = tmpDir("oc-image-");
const TOKEN = "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e";

/** Whether .dockerignore keeps a path (relative to the repository root) out of the build context. */
function dockerIgnored(rel: string): boolean {
  if (!rel) return false;
  const patterns = fs
    .readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  return patterns.some((p) => {
    const anyDepth = p.startsWith("**/");
    const body = (anyDepth ? p.slice(3) : p)
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*");
    return new RegExp(`^${anyDepth ? "(?:.*/)?" : ""}${body}(?:/.*)?$`).test(rel);
  });
}

async function runHealthcheck(port: number): Promise<number> {
  const [cmd, ...argv] = execForm(keyword(dockerStages().at(-1)!, "HEALTHCHECK")[0]!);
  assert.equal(cmd, "node");
  try {
    await run(process.execPath, argv, {
      cwd: app,
      env: { PATH: process.env.PATH ?? "", OPENCLAW_GATEWAY_PORT: String(port) },
      timeout: 10_000,
    });
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? 1;
  }
}

describe("the runtime image, assembled from a clean checkout", () => {
  before(
    async () => {
      await run("sh", ["-c", `git -C "${ROOT}" archive --format=tar HEAD | tar -x -C "${app}"`]);
      // The build stage: `COPY . .` of what .dockerignore leaves, then `npm ci` and `npm run build`.
      const context = tmpDir("oc-image-build-");
      fs.cpSync(app, context, { recursive: true, filter: (src) => !dockerIgnored(path.relative(app, src)) });
      const npmOpts = { cwd: context, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 };
      await run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], npmOpts);
      await run("npm", ["run", "build"], npmOpts);
      // COPY --from=build /app/dist ./dist
      fs.cpSync(path.join(context, "dist"), path.join(app, "dist"), { recursive: true });
      fs.rmSync(context, { recursive: true, force: true });
      // RUN npm ci --omit=dev (the deps stage)
      await run("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
        cwd: app,
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    },
    // Two installs and a build: one to two minutes with npm's cache, more when it has to download.
    { timeout: 480_000 },
  );

  it("builds the server and the Control UI from the build context .dockerignore leaves", () => {
    assert.ok(fs.existsSync(path.join(app, "dist/index.js")), "dist/index.js");
    assert.ok(fs.existsSync(path.join(app, "dist/control-ui/index.html")), "dist/control-ui/index.html");
  });

  it("holds the committed deployment files and production dependencies only", () => {
    for (const f of ["Dockerfile", "fly.toml", "fly.private.toml", "docker-compose.yml", ".dockerignore", "package-lock.json"])
      assert.ok(fs.existsSync(path.join(app, f)), `${f} is committed`);
    // dist/ is bundled with its libraries; only the model provider SDKs are installed beside it.
    for (const sdk of ["@anthropic-ai/sdk", "openai", "@google/genai"])
      assert.ok(fs.existsSync(path.join(app, "node_modules", sdk)), `${sdk} is a runtime dependency`);
    for (const dev of ["typescript", "tsx", "dockerfile-ast", "prettier", "esbuild", "grammy", "smol-toml"])
      assert.ok(!fs.existsSync(path.join(app, "node_modules", dev)), `${dev} is a dev dependency and stays out`);
  });

  describe("fly.toml's process with fly.toml's [env]", () => {
    let fly: Record<string, any> = {};
    let proc: ChildProcess;
    let out = "";
    let port = 0;
    const stateDir = tmpDir("oc-image-data-");

    before(async () => {
      fly = readToml(path.join(app, "fly.toml"));
      const argv = String(fly.processes?.app ?? "").split(" ");
      assert.equal(argv[0], "node");
      const i = argv.indexOf("--port");
      assert.equal(argv[i + 1], String(fly.http_service?.internal_port));
      argv[i + 1] = "0"; // any free port instead of 3000
      proc = killOnExit(
        spawn(process.execPath, argv.slice(1), {
          cwd: app,
          env: { PATH: process.env.PATH ?? "", HOME: stateDir, ...fly.env, OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: TOKEN },
          stdio: ["ignore", "pipe", "pipe"],
        }),
      );
      proc.stdout!.on("data", (d) => (out += d));
      proc.stderr!.on("data", (d) => (out += d));
      const m = await waitFor(() => /listening on ws:\/\/0\.0\.0\.0:(\d+) \(PID \d+\)/.exec(out), 15_000, `the gateway to listen:\n${out}`);
      port = Number(m?.[1]);
    });
    after(() => proc?.kill("SIGKILL"));

    it("listens on all interfaces and answers GET /healthz and /readyz", async () => {
      assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json(), { ok: true });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { ready: boolean }).ready, true);
      assert.doesNotMatch(out, /error/i, out);
    });

    it("passes the Dockerfile's HEALTHCHECK command", async () => {
      assert.equal(await runHealthcheck(port), 0);
    });

    it("runs the CLI from the image: doctor sees the running gateway through its lock", async () => {
      const { stdout } = await run(process.execPath, ["dist/index.js", "doctor", "--json"], {
        cwd: app,
        env: { PATH: process.env.PATH ?? "", HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "k" },
      }).catch((e: { stdout: string }) => e);
      const report = JSON.parse(stdout) as { findings: Array<{ id: string; level: string; message: string }> };
      const lock = report.findings.find((f) => f.id === "gateway.lock")!;
      assert.equal(lock.level, "ok");
      assert.match(lock.message, new RegExp(`gateway running as pid ${proc.pid}`));
    });

    it("stops cleanly on SIGTERM, after which the health check fails", async () => {
      proc.kill("SIGTERM");
      const code = await new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
      assert.equal(code, 0);
      assert.match(out, /shutting down: received SIGTERM/);
      assert.equal(fs.readdirSync(stateDir).filter((n) => n.endsWith(".lock")).length, 0, "the lock is released");
      assert.notEqual(await runHealthcheck(port), 0);
    });
  });
});
