/**
 * `openclaw config get|set|unset|validate|schema|file`: works on the file directly (no running
 * gateway needed); a running gateway picks up the change through its file watcher.
 */
import type { Command } from "commander";
import { parseJson5Text } from "../infra/json5.js";
import { ConfigError, formatIssues } from "../config/errors.js";
import { editConfigFile, getPath, redactSecrets, setPath, splitPath } from "../config/edit.js";
import { resolveIncludes } from "../config/includes.js";
import { parseJson5, readConfigSnapshot, readConfigText } from "../config/load.js";
import { configJsonSchema } from "../config/json-schema.js";
import { fail, printJson } from "./call.js";
import { cliEnv } from "./target.js";

/** The file as written and as the gateway sees it (`$include`s merged in), or why it cannot be read. */
type ConfigFile = { ok: true; written: unknown; merged: unknown; includes: boolean; empty: boolean } | { ok: false; problem: string };

/** `<file>: JSON5: invalid character 'x' at 3:5` → the file, then line and column in words. */
function describeConfigError(e: ConfigError): string {
  const m = /^(.*): JSON5: (.*) at (\d+):(\d+)$/.exec(e.message);
  if (!m) return e.message;
  return `invalid JSON5 in ${m[1]} at line ${m[3]}, column ${m[4]}: ${m[2]}\nFix the file (\`openclaw config validate\` checks it).`;
}

function hasInclude(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasInclude);
  if (value === null || typeof value !== "object") return false;
  return "$include" in value || Object.values(value).some(hasInclude);
}

function readConfigFile(file: string): ConfigFile {
  try {
    let raw: string;
    try {
      raw = readConfigText(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, written: {}, merged: {}, includes: false, empty: false };
      if (e instanceof ConfigError) throw e;
      return { ok: false, problem: `cannot read ${file}: ${(e as Error).message}` };
    }
    const empty = raw.trim() === "";
    const written = empty ? {} : parseJson5(raw, file);
    return { ok: true, written, merged: resolveIncludes(written, file), includes: hasInclude(written), empty };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, problem: describeConfigError(e) };
    throw e;
  }
}

/** `true`, `3000`, `["a"]`, `{a:1}` parse as JSON5; anything else is a plain string. */
function parseValue(text: string): unknown {
  try {
    return parseJson5Text(text);
  } catch {
    return text;
  }
}

/** Applies `change` to the config file, or says why not (`fail`) and returns false. */
export function editConfig(change: (parsed: unknown) => unknown): boolean {
  const c = cliEnv();
  // A file that does not parse reads as empty: editing it would replace it with the one new key.
  const text = readConfigFile(c.configPath);
  if (!text.ok) {
    fail(`config not changed: ${text.problem}`);
    return false;
  }
  try {
    editConfigFile(c.configPath, { ...c.env }, change);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) {
      fail(e.issues.length ? `config not changed; it would be invalid:\n${formatIssues(e.issues)}` : e.message);
      return false;
    }
    throw e;
  }
}

export function registerConfig(program: Command): void {
  const config = program.command("config").description("Read and edit openclaw.json");

  config
    .command("get [path]")
    .description(
      "Print the config or one value as the gateway reads it: $include'd files merged in, ${VAR} references " +
        "shown as written (the gateway fills them from its own environment), secrets redacted unless --show-secrets",
    )
    .option("--json", "print JSON")
    .option("--show-secrets", "print secret values as stored")
    .action((p: string | undefined, flags: { json?: boolean; showSecrets?: boolean }) => {
      const c = cliEnv();
      const text = readConfigFile(c.configPath);
      if (!text.ok) return fail(text.problem);
      if (text.empty)
        return fail(
          `${c.configPath} is empty, and the gateway does not apply an empty file; set a value (\`openclaw config set gateway.mode local\`) or delete the file to use the defaults`,
        );
      const source = flags.showSecrets ? text.merged : redactSecrets(text.merged);
      const value = p ? getPath(source, splitPath(p)) : source;
      if (value === undefined) return fail(`${p} is not set in ${c.configPath}${text.includes ? " or the files it includes" : ""}`);
      if (!flags.json && typeof value !== "object") process.stdout.write(String(value) + "\n");
      else printJson(value);
    });

  config
    .command("set <path> <value>")
    .description('Set a value (JSON5 values such as true, 3000 or ["a"] are parsed; anything else is a string)')
    .option("--json", "require the value to be valid JSON")
    .action((p: string, raw: string, flags: { json?: boolean }) => {
      let value: unknown;
      if (flags.json) {
        try {
          value = JSON.parse(raw);
        } catch (e) {
          return fail(`value is not valid JSON: ${(e as Error).message}`);
        }
      } else value = parseValue(raw);
      if (editConfig((parsed) => setPath(parsed, splitPath(p), value))) process.stdout.write(`set ${p}\n`);
    });

  config
    .command("unset <path>")
    .description("Remove a value")
    .action((p: string) => {
      const parts = splitPath(p);
      const c = cliEnv();
      const text = readConfigFile(c.configPath);
      if (!text.ok) return fail(`config not changed: ${text.problem}`);
      if (getPath(text.written, parts) === undefined) {
        if (getPath(text.merged, parts) !== undefined)
          return fail(`${p} comes from a file that ${c.configPath} pulls in with $include; remove it there`);
        return fail(`${p} is not set`);
      }
      if (editConfig((parsed) => setPath(parsed, parts, undefined))) process.stdout.write(`unset ${p}\n`);
    });

  config
    .command("validate")
    .description("Check the config file; exits non-zero and names each problem by path")
    .option("--json", "print JSON")
    .action((flags: { json?: boolean }) => {
      const c = cliEnv();
      const snap = readConfigSnapshot(c.configPath, { ...c.env });
      if (flags.json) printJson({ path: snap.path, exists: snap.exists, valid: snap.valid, issues: snap.issues, warnings: snap.warnings });
      else if (snap.valid) {
        process.stdout.write(`${snap.exists ? "valid" : "no config file (defaults apply)"}: ${snap.path}\n`);
        for (const w of snap.warnings) process.stdout.write(`warning: ${w.path}: ${w.message}\n`);
      } else process.stderr.write(`invalid: ${snap.path}\n${formatIssues(snap.issues)}\n`);
      if (!snap.valid) process.exitCode = 1;
    });

  config
    .command("schema")
    .description('Print the config JSON Schema (point an editor at it with "$schema")')
    .action(() => printJson(configJsonSchema()));

  config
    .command("file")
    .description("Print the config file path")
    .action(() => {
      process.stdout.write(cliEnv().configPath + "\n");
    });
}
