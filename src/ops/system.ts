/**
 * What `doctor` needs to know about the machine it runs on: is this a container, which mount holds a
 * path, how much memory the process may use, and what a running gateway process was started with.
 * Linux answers come from /proc and /sys; elsewhere each probe answers "unknown" (null).
 *
 * Everything is read through {@link SystemProbe} so checks can be tested with any machine in mind.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Env } from "../infra/paths.js";

export interface ProcessInfo {
  pid: number;
  /** argv as the kernel holds it (`node dist/index.js gateway --port 3000 …`). */
  argv: string[];
  /** The process environment when readable (same user or root); never printed. */
  env: Env | null;
  /** TCP ports the process listens on, when /proc shows them. */
  listeningPorts: number[];
}

export interface MemoryLimit {
  bytes: number;
  /** Where the number comes from, for messages: `cgroup memory.max`, `FLY_VM_MEMORY_MB`, `total RAM`. */
  source: string;
}

export interface SystemProbe {
  nodeVersion: string;
  /** Why we believe this is a container (`/.dockerenv`, `FLY_APP_NAME`, …), or null. */
  container(): string | null;
  /** The mount point holding `p` (`/` when nothing more specific is mounted), or null if unknown. */
  mountPointOf(p: string): string | null;
  /** The smallest memory limit that applies to this process. */
  memoryLimit(): MemoryLimit | null;
  processInfo(pid: number): ProcessInfo | null;
}

const MB = 1024 * 1024;

function read(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** Decodes the octal escapes mountinfo uses for spaces and the like (`\040`). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points listed in a `/proc/self/mountinfo` text. */
export function parseMountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split("\n")) {
    const cols = line.split(" ");
    if (cols.length > 4 && cols[4]) out.push(unescapeMount(cols[4]));
  }
  return out;
}

/** The longest mount point that contains `p`. */
export function mountPointFor(p: string, mountPoints: string[]): string {
  let best = "/";
  for (const m of mountPoints) {
    const inside = m === "/" || p === m || p.startsWith(m.endsWith("/") ? m : m + "/");
    if (inside && m.length > best.length) best = m;
  }
  return best;
}

/** cgroup limit for this process (v2 `memory.max`, v1 `memory.limit_in_bytes`); null when unlimited. */
export function cgroupMemoryLimit(root = "/sys/fs/cgroup", procSelfCgroup = read("/proc/self/cgroup") ?? ""): number | null {
  const candidates: string[] = [];
  for (const line of procSelfCgroup.split("\n")) {
    const [, controllers, rel] = line.split(":");
    if (rel === undefined) continue;
    if (controllers === "") candidates.push(path.join(root, rel, "memory.max"));
    else if (controllers?.split(",").includes("memory")) candidates.push(path.join(root, "memory", rel, "memory.limit_in_bytes"));
  }
  candidates.push(path.join(root, "memory.max"), path.join(root, "memory", "memory.limit_in_bytes"));
  for (const file of candidates) {
    const text = read(file)?.trim();
    if (!text) continue;
    if (text === "max") return null;
    const n = Number(text);
    // cgroup v1 reports "unlimited" as a number near 2^63.
    if (Number.isFinite(n) && n > 0) return n >= 2 ** 60 ? null : n;
  }
  return null;
}

/** Ports a process listens on: its socket inodes matched against /proc/net/tcp{,6} LISTEN rows. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1]) inodes.add(m[1]);
      } catch {
        /* fd closed meanwhile */
      }
    }
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of (read(table) ?? "").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const port = cols[1]?.split(":").pop();
      if (cols[3] === "0A" && cols[9] && inodes.has(cols[9]) && port) ports.add(parseInt(port, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

function parseEnviron(text: string): Env {
  const env: Env = {};
  for (const entry of text.split("\0")) {
    const i = entry.indexOf("=");
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}

/** The real machine, read from /proc and /sys. */
export function hostProbe(env: Env = process.env): SystemProbe {
  return {
    nodeVersion: process.versions.node,
    container() {
      if (fs.existsSync("/.dockerenv")) return "/.dockerenv exists";
      if (fs.existsSync("/run/.containerenv")) return "/run/.containerenv exists";
      if (env.FLY_APP_NAME || env.FLY_MACHINE_ID) return `running on Fly.io (FLY_APP_NAME=${env.FLY_APP_NAME ?? "?"})`;
      if (env.KUBERNETES_SERVICE_HOST) return "running in Kubernetes";
      if (env.container) return `container=${env.container}`;
      const cg = read("/proc/1/cgroup") ?? "";
      if (/docker|kubepods|containerd|libpod/.test(cg)) return "/proc/1/cgroup names a container runtime";
      return null;
    },
    mountPointOf(p) {
      const info = read("/proc/self/mountinfo");
      if (info === null) return null;
      let real = p;
      try {
        real = fs.realpathSync(p);
      } catch {
        /* not created yet: judge the path as written */
      }
      return mountPointFor(real, parseMountPoints(info));
    },
    memoryLimit() {
      const limits: MemoryLimit[] = [];
      const cg = cgroupMemoryLimit();
      if (cg !== null) limits.push({ bytes: cg, source: "cgroup memory limit" });
      const fly = Number(env.FLY_VM_MEMORY_MB);
      if (Number.isFinite(fly) && fly > 0) limits.push({ bytes: fly * MB, source: "FLY_VM_MEMORY_MB" });
      limits.push({ bytes: os.totalmem(), source: "total RAM" });
      return limits.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    },
    processInfo(pid) {
      const cmdline = read(`/proc/${pid}/cmdline`);
      if (cmdline === null) return null;
      const environ = read(`/proc/${pid}/environ`);
      return {
        pid,
        argv: cmdline.split("\0").filter((a) => a.length > 0),
        env: environ === null ? null : parseEnviron(environ),
        listeningPorts: listeningPorts(pid),
      };
    },
  };
}

/** `--max-old-space-size` from a NODE_OPTIONS string, in MB (either `=` or a space, `-` or `_`). */
export function heapCapMb(nodeOptions: string | undefined): number | null {
  if (!nodeOptions) return null;
  const m = /--max[-_]old[-_]space[-_]size(?:=|\s+)(\d+)/.exec(nodeOptions);
  return m?.[1] ? Number(m[1]) : null;
}

/** Node's own runtime needs this much besides the JS heap (code, stacks, buffers, new space). */
export const NODE_OVERHEAD_MB = 96;

/**
 * How a heap cap fits a memory limit. The heap may use at most 3/4 of the memory and must leave
 * {@link NODE_OVERHEAD_MB} for the rest of Node; a cap at or above the memory is never collected
 * in time, so the kernel kills the process instead of V8 reporting a heap problem.
 */
export function judgeHeapCap(capMb: number, limitMb: number): "ok" | "tight" | "over" {
  if (capMb >= limitMb) return "over";
  if (limitMb - capMb < Math.max(NODE_OVERHEAD_MB, limitMb / 4)) return "tight";
  return "ok";
}

/** A heap cap that fits a machine: half of its memory. */
export function suggestedHeapCapMb(limitMb: number): number {
  return Math.max(64, Math.floor(limitMb / 2));
}
