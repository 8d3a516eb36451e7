/**
 * A stand-in `docker` executable for sandbox tests: a small Node script written into a temp dir that
 * appends every argv to `calls.jsonl` and keeps containers and images in `state.json`, answering
 * `version`, `image inspect`, `pull`, `tag`, `inspect -f`, `create`, `start`, `exec` and `rm` the
 * way the real CLI does (same exit codes and error lines). `down: true` makes `version` fail as it
 * does when the daemon is not running.
 */
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/gateway.js";

export interface FakeContainer {
  image: string;
  labels: Record<string, string>;
  running: boolean;
  args: string[];
}

export interface FakeDocker {
  dir: string;
  /** The executable's path (also named `docker` in `dir`, for PATH lookups). */
  bin: string;
  calls(): string[][];
  state(): { containers: Record<string, FakeContainer>; images: string[] };
  setState(s: { containers: Record<string, FakeContainer>; images: string[] }): void;
  clearCalls(): void;
}

const SCRIPT = String.raw`
const fs = require("node:fs");
const path = require("node:path");
const dir = __DIR__;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(args) + "\n");
const statePath = path.join(dir, "state.json");
const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
const save = () => fs.writeFileSync(statePath, JSON.stringify(state));
const out = (s) => process.stdout.write(s + "\n");
const die = (msg, code = 1) => { process.stderr.write(msg + "\n"); process.exit(code); };
const [cmd, ...rest] = args;
if (cmd === "version") {
  if (state.down) die("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
  out("27.3.1");
} else if (cmd === "image" && rest[0] === "inspect") {
  if (!state.images.includes(rest[1])) die("Error response from daemon: No such image: " + rest[1]);
  out("[{}]");
} else if (cmd === "pull") {
  state.images.push(rest[0]); save();
} else if (cmd === "tag") {
  state.images.push(rest[1]); save();
} else if (cmd === "inspect") {
  const fmt = rest[1];
  const c = state.containers[rest[2]];
  if (!c) die("Error: No such object: " + rest[2]);
  if (fmt.includes("State.Running")) out(String(c.running));
  else if (fmt.includes("Config.Image")) out(c.image);
  else { const m = /Labels "([^"]+)"/.exec(fmt); out(m && c.labels[m[1]] !== undefined ? c.labels[m[1]] : "<no value>"); }
} else if (cmd === "create") {
  let name = "";
  const labels = {};
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--name") name = rest[++i];
    else if (rest[i] === "--label") { const [k, ...v] = rest[++i].split("="); labels[k] = v.join("="); }
  }
  if (state.containers[name]) die("Error response from daemon: Conflict. The container name \"/" + name + "\" is already in use");
  state.containers[name] = { image: rest[rest.length - 3], labels, running: false, args: rest };
  save();
  out("0123456789abcdef");
} else if (cmd === "start") {
  const c = state.containers[rest[0]];
  if (!c) die("Error response from daemon: No such container: " + rest[0]);
  c.running = true; save(); out(rest[0]);
} else if (cmd === "exec") {
  const name = rest.find((a) => state.containers[a]);
  if (!name || !state.containers[name].running) die("Error response from daemon: container is not running");
  if (state.failExec) die("setup exploded", 2);
} else if (cmd === "rm") {
  const name = rest[rest.length - 1];
  if (!state.containers[name]) die("Error response from daemon: No such container: " + name);
  delete state.containers[name]; save(); out(name);
} else {
  die("unknown command: " + cmd);
}
`;

export function fakeDocker(opts: { down?: boolean; images?: string[] } = {}): FakeDocker {
  const dir = tmpDir("oc-fake-docker-");
  const bin = path.join(dir, "docker");
  fs.writeFileSync(bin, `#!${process.execPath}\n${SCRIPT.replace("__DIR__", JSON.stringify(dir))}`, { mode: 0o755 });
  const statePath = path.join(dir, "state.json");
  fs.writeFileSync(
    statePath,
    JSON.stringify({ containers: {}, images: opts.images ?? ["openclaw-sandbox:bookworm-slim"], down: !!opts.down }),
  );
  const callsPath = path.join(dir, "calls.jsonl");
  return {
    dir,
    bin,
    calls: () =>
      fs.existsSync(callsPath)
        ? fs
            .readFileSync(callsPath, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as string[])
        : [],
    state: () => JSON.parse(fs.readFileSync(statePath, "utf8")),
    setState: (s) => fs.writeFileSync(statePath, JSON.stringify({ ...JSON.parse(fs.readFileSync(statePath, "utf8")), ...s })),
    clearCalls: () => fs.rmSync(callsPath, { force: true }),
  };
}
