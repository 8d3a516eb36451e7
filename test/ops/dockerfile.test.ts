/** The Dockerfile, parsed stage by stage: what each stage does and what the image ships and runs. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/gateway.js";
import { GUIDE_COMMAND, args, dockerStages, execForm, flags, keyword, properties, readToml } from "./helpers.js";

const stages = dockerStages();
const runtime = stages.at(-1)!;
const runs = (s: (typeof stages)[number]) => keyword(s, "RUN").map(args).join("\n");

describe("Dockerfile", () => {
  it("is multi-stage on Node 22 (or 24) bookworm/slim images only", () => {
    assert.ok(stages.length >= 2, "at least a build and a runtime stage");
    for (const s of stages) assert.match(s.image, /^node:(22|24)-[a-z]+-slim$/, `stage ${s.name}: ${s.image}`);
    assert.deepEqual(
      stages.map((s) => s.name),
      ["build", "deps", "runtime"],
    );
  });

  it("builds dist/ with npm ci and npm run build only", () => {
    const build = stages.find((s) => s.name === "build")!;
    const cmds = keyword(build, "RUN").map(args);
    assert.ok(
      cmds.some((c) => /^npm ci\b/.test(c) && !c.includes("--omit=dev")),
      "full install for the build",
    );
    assert.ok(
      cmds.some((c) => c === "npm run build"),
      "the package's own build script",
    );
    assert.ok(!cmds.some((c) => /\b(tsc|esbuild|vite)\b/.test(c)), "no build steps beside npm run build");
  });

  it("ships dist/ and production dependencies only, copied from the earlier stages", () => {
    const deps = stages.find((s) => s.name === "deps")!;
    assert.match(runs(deps), /npm ci --omit=dev/);
    const copies = keyword(runtime, "COPY").map((c) => ({
      from: flags(c).from ?? null,
      parts: args(c)
        .replace(/^--from=\S+\s+/, "")
        .split(/\s+/),
    }));
    assert.deepEqual(copies.find((c) => c.from === "build")?.parts, ["/app/dist", "./dist"]);
    assert.deepEqual(copies.find((c) => c.from === "deps")?.parts, ["/app/node_modules", "./node_modules"]);
    const local = copies.filter((c) => c.from === null).flatMap((c) => c.parts.slice(0, -1));
    assert.deepEqual(local, ["package.json", "docker/openclaw"], "from the context: package.json (the version) and the CLI wrapper");
    assert.doesNotMatch(runs(runtime), /npm (ci|install)/, "no install in the runtime stage");
  });

  it("runs as a non-root user that owns /data, with OPENCLAW_STATE_DIR=/data", () => {
    const users = keyword(runtime, "USER").map(args);
    assert.equal(users.length, 1);
    assert.ok(!["root", "0", "0:0"].includes(users[0]!), `USER ${users[0]}`);
    assert.match(runs(runtime), new RegExp(`chown ${users[0]}:${users[0]} /data`));
    const env = Object.assign({}, ...keyword(runtime, "ENV").map(properties)) as Record<string, string>;
    assert.equal(env.OPENCLAW_STATE_DIR, "/data");
    assert.equal(env.NODE_ENV, "production");
    const userLine = keyword(runtime, "USER")[0]!.getRange().start.line;
    for (const c of [...keyword(runtime, "CMD"), ...keyword(runtime, "ENTRYPOINT"), ...keyword(runtime, "HEALTHCHECK")])
      assert.ok(c.getRange().start.line > userLine, `${c.getKeyword()} comes after USER`);
  });

  it("runs the guide's command under tini, which Debian ships for every architecture", () => {
    assert.deepEqual(execForm(keyword(runtime, "ENTRYPOINT")[0]!), ["/usr/bin/tini", "--"]);
    assert.match(runs(runtime), /apt-get install -y --no-install-recommends tini\b/);
    assert.match(runs(runtime), /--no-install-recommends tini tzdata\b/, "the tz database, for time zones without ICU");
    const cmd = execForm(keyword(runtime, "CMD")[0]!);
    assert.equal(cmd.join(" "), GUIDE_COMMAND);
    assert.deepEqual(cmd, readToml("fly.toml").processes.app.split(" "), "Docker and Fly run the same command");
    assert.ok(keyword(runtime, "EXPOSE").some((e) => args(e) === "3000"));
  });

  it("puts an `openclaw` command on the PATH that runs the CLI as the gateway's user", () => {
    const wrapper = fs.readFileSync(path.join(ROOT, "docker/openclaw"), "utf8");
    assert.ok(fs.statSync(path.join(ROOT, "docker/openclaw")).mode & 0o111, "executable in git, so COPY keeps it executable");
    assert.match(wrapper, /^#!\/bin\/sh\n/);
    assert.match(
      wrapper,
      /if \[ "\$\(id -u\)" = "0" \][^\n]*\n\s+export HOME=\/home\/node\n\s+exec setpriv --reuid=node --regid=node --init-groups node \/app\/dist\/index\.js "\$@"/,
    );
    assert.match(wrapper, /\nexec node \/app\/dist\/index\.js "\$@"\n$/);
    assert.match(runs(runtime), /command -v setpriv/, "the build fails if the base image lacks setpriv");
    const user = args(keyword(runtime, "USER")[0]!);
    assert.equal(user, "node", "the wrapper drops to the same user the image runs as");
  });

  it("checks health on /healthz with Node (no curl in the slim image)", () => {
    const [hc] = keyword(runtime, "HEALTHCHECK");
    assert.ok(hc);
    const argv = execForm(hc);
    assert.equal(argv[0], "node");
    assert.match(argv.join(" "), /\/healthz/);
    assert.match(argv.join(" "), /OPENCLAW_GATEWAY_PORT \|\| 3000/);
    const f = flags(hc);
    assert.ok(f.interval && f.timeout && f["start-period"], JSON.stringify(f));
  });

  it("downloads nothing architecture-specific, and its optional extras are off by default", () => {
    const text = fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    const urls = text.match(/https?:\/\/[^\s"'|]+/g) ?? [];
    assert.ok(urls.length > 0);
    for (const u of urls) assert.doesNotMatch(u, /amd64|x86_64|x64|aarch64|arm64|armhf|armv7|i386/i, u);
    assert.doesNotMatch(text, /dpkg --print-architecture|uname -m|TARGETARCH/);
    const argDefaults = Object.fromEntries(keyword(runtime, "ARG").map((a) => args(a).split("=") as [string, string]));
    assert.equal(argDefaults.INSTALL_CHROMIUM, "false");
    assert.equal(argDefaults.INSTALL_SIGNAL, "false");
    const install = runs(runtime);
    assert.match(install, /if \[ "\$INSTALL_CHROMIUM" = "true" \]; then\s+apt-get install[^;]*chromium/);
    assert.match(
      install,
      /if \[ "\$INSTALL_SIGNAL" = "true" \]; then[\s\S]*temurin-21-jre[\s\S]*signal-cli-\$\{SIGNAL_CLI_VERSION\}\.tar\.gz/,
    );
    assert.match(install, /rm -rf \/var\/lib\/apt\/lists/);
  });

  it("keeps the build context small: .dockerignore drops git, modules, builds, tests and secrets", () => {
    const ignore = fs.readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const p of [".git", "**/node_modules", "dist", "test", ".env"]) assert.ok(ignore.includes(p), p);
    assert.ok(!ignore.includes("src") && !ignore.includes("package-lock.json") && !ignore.includes("ui"), "sources stay in the context");
  });
});
