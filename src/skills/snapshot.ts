/**
 * The skills block of each run's system prompt, kept from one run to the next. Building it looks at
 * every skills folder and `SKILL.md` (a `stat` each, even when nothing changed): about 0.5 ms of
 * synchronous work per run with 50 skills, 1.6 ms with 200. Instead, the folders it was built from are
 * watched, and it is built again on the next run after:
 *
 * - a change in one of them: a skill added, edited, renamed or removed, a skills folder created;
 * - a config change (a reload gives a new config object);
 * - {@link MAX_AGE_MS}, for what no folder shows: a program a skill requires installed on the PATH,
 *   an environment variable set.
 *
 * `skills.load.watch: false` builds it on every run and watches nothing. Where a folder cannot be
 * watched (no inotify watches left), the block is built on every run too.
 */
import fs from "node:fs";
import path from "node:path";
import { loadSkills, SkillsCache, type SkillsLoadOptions } from "./load.js";
import { skillsBlock } from "./prompt.js";
import { tryWatch } from "../infra/watch.js";

/** The longest a block is kept while nothing watched changes. */
export const MAX_AGE_MS = 60_000;

interface Snapshot {
  text: string;
  config: SkillsLoadOptions["config"];
  builtAt: number;
  /** Set by a watcher: build again on the next run. */
  changed: boolean;
  watchers: fs.FSWatcher[];
  /** Missing folders whose parent is missing too (nothing to watch): looked for on each run. */
  unwatched: string[];
}

export class SkillsPrompts {
  /** Parsed `SKILL.md` files and folder listings, for the builds. */
  private readonly files = new SkillsCache();
  private readonly byWorkspace = new Map<string, Snapshot>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The block for a run in `o.workspaceDir` ("" when no skill is eligible or the skills cannot be read). */
  prompt(o: SkillsLoadOptions): string {
    const hit = this.byWorkspace.get(o.workspaceDir);
    if (
      hit &&
      !hit.changed &&
      hit.config === o.config &&
      this.now() - hit.builtAt < MAX_AGE_MS &&
      !hit.unwatched.some((f) => fs.existsSync(f))
    )
      return hit.text;
    if (hit) this.drop(o.workspaceDir);
    let text = "";
    let sources: string[] = [];
    try {
      const loaded = loadSkills(o, this.files);
      sources = loaded.sources;
      text = skillsBlock(loaded.entries, o);
    } catch {
      // A problem never fails a run: it runs without skills, and the next run tries again.
      return "";
    }
    if (o.config.skills?.load?.watch === false) return text;
    const snapshot: Snapshot = { text, config: o.config, builtAt: this.now(), changed: false, watchers: [], unwatched: [] };
    if (watchAll(new Set(sources), snapshot)) this.byWorkspace.set(o.workspaceDir, snapshot);
    else closeAll(snapshot);
    return text;
  }

  /** Stops every watch (the gateway is stopping). */
  close(): void {
    for (const key of [...this.byWorkspace.keys()]) this.drop(key);
  }

  private drop(workspaceDir: string): void {
    const s = this.byWorkspace.get(workspaceDir);
    if (!s) return;
    this.byWorkspace.delete(workspaceDir);
    closeAll(s);
  }
}

/** Watches each source for `s` (a missing folder through its parent); false when one cannot be watched. */
function watchAll(sources: Set<string>, s: Snapshot): boolean {
  const changed = () => {
    s.changed = true;
  };
  for (const source of sources) {
    const own = tryWatch(source, changed);
    if (own === "missing") {
      const name = path.basename(source);
      const parent = tryWatch(path.dirname(source), (_event, file) => {
        if (file === null || file === name) changed();
      });
      if (parent === "missing") s.unwatched.push(source);
      else if (parent === "failed") return false;
      else s.watchers.push(parent);
    } else if (own === "failed") return false;
    else s.watchers.push(own);
  }
  return true;
}

function closeAll(s: Snapshot): void {
  for (const w of s.watchers) w.close();
  s.watchers = [];
}
