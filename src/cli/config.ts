/**
 * `openclaw config get|set|unset|validate|schema|file`: works on the file directly (no running
 * gateway needed); a running gateway picks up the change through its file watcher.
 */
import type { Command } from "commander";
import JSON5 from "json5";
import { ConfigError, formatIssues } from "../config/errors.js";
import { editConfigFile, getPath, redactSecrets, setPath, splitPath } from "../config/edit.js";
import { readConfigSnapshot } from "../config/load.js";
import { configJsonSchema } from "../config/json-schema.js";
import { fail, printJson } from "./call.js";
import { cliEnv } from "./target.js";

/** `true`, `3000`, `["a"]`, `{a:1}` parse as JSON5; anything else is a plain string. */
function parseValue(text: string): unknown {
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}

function edit(change: (parsed: unknown) => unknown): boolean {
  const c = cliEnv();
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
    .description("Print the config or one value (secrets redacted unless --show-secrets)")
    .option("--json", "print JSON")
    .option("--show-secrets", "print secret values as stored")
    .action((p: string | undefined, flags: { json?: boolean; showSecrets?: boolean }) => {
      const c = cliEnv();
      const snap = readConfigSnapshot(c.configPath, { ...c.env });
      const source = flags.showSecrets ? snap.parsed : redactSecrets(snap.parsed);
      const value = p ? getPath(source, splitPath(p)) : source;
      if (value === undefined) return fail(`${p} is not set in ${c.configPath}`);
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
      if (edit((parsed) => setPath(parsed, splitPath(p), value))) process.stdout.write(`set ${p}\n`);
    });

  config
    .command("unset <path>")
    .description("Remove a value")
    .action((p: string) => {
      const parts = splitPath(p);
      const c = cliEnv();
      if (getPath(readConfigSnapshot(c.configPath, { ...c.env }).parsed, parts) === undefined) return fail(`${p} is not set`);
      if (edit((parsed) => setPath(parsed, parts, undefined))) process.stdout.write(`unset ${p}\n`);
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
