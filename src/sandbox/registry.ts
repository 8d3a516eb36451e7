/**
 * `$OPENCLAW_STATE_DIR/sandbox/containers.json`: the sandbox containers this gateway created, with
 * when each was created and last used (what `sandbox list` shows and prune decides on). Same shape as
 * OpenClaw's, so an existing state volume keeps its entries. Written atomically.
 */
import path from "node:path";
import { writeFileAtomicSync } from "../infra/atomic.js";
import { readStateFileSync } from "../infra/read-bounded.js";

export interface SandboxRegistryEntry {
  containerName: string;
  /** The scope key the container serves: a session key, `agent:<id>` or `shared`. */
  sessionKey: string;
  createdAtMs: number;
  lastUsedAtMs: number;
  image: string;
  configHash?: string;
}

export function registryPath(stateDir: string): string {
  return path.join(stateDir, "sandbox", "containers.json");
}

/** The largest sandbox registry read (one small entry per container). */
const MAX_REGISTRY_BYTES = 4 * 1024 * 1024;

export function readRegistry(stateDir: string): SandboxRegistryEntry[] {
  try {
    const parsed = JSON.parse(readStateFileSync(registryPath(stateDir), MAX_REGISTRY_BYTES)) as { entries?: unknown };
    if (Array.isArray(parsed?.entries)) {
      return parsed.entries.filter(
        (e): e is SandboxRegistryEntry => !!e && typeof e === "object" && typeof (e as SandboxRegistryEntry).containerName === "string",
      );
    }
  } catch {
    /* missing or unreadable: no entries */
  }
  return [];
}

function writeRegistry(stateDir: string, entries: SandboxRegistryEntry[]): void {
  writeFileAtomicSync(registryPath(stateDir), `${JSON.stringify({ entries }, null, 2)}\n`);
}

/** Adds or refreshes an entry; the first `createdAtMs` and `image` of a container are kept. */
export function upsertRegistryEntry(stateDir: string, entry: SandboxRegistryEntry): void {
  const entries = readRegistry(stateDir);
  const existing = entries.find((e) => e.containerName === entry.containerName);
  const next = entries.filter((e) => e.containerName !== entry.containerName);
  next.push({
    ...entry,
    createdAtMs: existing?.createdAtMs ?? entry.createdAtMs,
    image: existing?.image ?? entry.image,
    configHash: entry.configHash ?? existing?.configHash,
  });
  writeRegistry(stateDir, next);
}

export function removeRegistryEntry(stateDir: string, containerName: string): void {
  const entries = readRegistry(stateDir);
  const next = entries.filter((e) => e.containerName !== containerName);
  if (next.length !== entries.length) writeRegistry(stateDir, next);
}
