/**
 * Checks `plugins.entries.<id>.config` against a plugin manifest's `configSchema` (JSON Schema, with
 * ajv), naming each problem by its full config path. Kept apart from manifest reading so that finding
 * plugins (and config validation, which reads manifests for plugin channels) never loads ajv.
 */
import Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";

export type ConfigCheck = { ok: true } | { ok: false; errors: string[] };

function formatError(base: string, e: ErrorObject): string {
  const segments = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const params = e.params as Record<string, unknown>;
  let message = e.message ?? "is invalid";
  if (e.keyword === "required" && typeof params.missingProperty === "string") {
    segments.push(params.missingProperty);
    message = "is required";
  } else if (e.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    segments.push(params.additionalProperty);
    message = "is not a known setting";
  } else if (e.keyword === "enum" && Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  const where = segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : `${acc}.${s}`), base);
  return `${where}: ${message}`;
}

/**
 * Checks plugin config against manifest schemas. One per host (it keeps compiled schemas), never shared
 * through module state.
 */
export class PluginConfigValidator {
  /**
   * Schemas are not checked against the JSON Schema meta-schema when compiled: building that check
   * costs about 30 ms, once per process, and every start with a plugin would pay it. Compiling still
   * refuses what it cannot use (an unknown type, a keyword's value of the wrong kind, a bad pattern);
   * {@link checkSchema}, run when a plugin is installed, also checks against the meta-schema.
   */
  private ajv = new Ajv.default({ allErrors: true, strict: false, validateSchema: false });
  private compiled = new WeakMap<object, ValidateFunction>();

  /** Checks a schema against the meta-schema and compiles it; returns an error message when it is not a usable JSON Schema. */
  checkSchema(schema: Record<string, unknown>): string | null {
    try {
      if (!this.ajv.validateSchema(schema)) return `schema is invalid: ${this.ajv.errorsText(this.ajv.errors)}`;
      this.compile(schema);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /**
   * Validates `plugins.entries.<id>.config` (absent counts as `{}`, as OpenClaw does). Each error names the
   * full config path: `plugins.entries.<id>.config.<field>: <message>`.
   */
  validate(pluginId: string, schema: Record<string, unknown>, value: unknown): ConfigCheck {
    let validate: ValidateFunction;
    try {
      validate = this.compile(schema);
    } catch (err) {
      return {
        ok: false,
        errors: [`plugins.entries.${pluginId}.config: the plugin's configSchema is not a valid JSON Schema (${(err as Error).message})`],
      };
    }
    if (validate(value ?? {})) return { ok: true };
    const base = `plugins.entries.${pluginId}.config`;
    const errors = (validate.errors ?? []).map((e) => formatError(base, e));
    return { ok: false, errors: errors.length ? [...new Set(errors)] : [`${base}: is invalid`] };
  }

  private compile(schema: Record<string, unknown>): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (!fn) {
      fn = this.ajv.compile(schema);
      this.compiled.set(schema, fn);
    }
    return fn;
  }
}
