/** The config schema as JSON Schema, for `config schema`, `config.schema` and editors (`$schema`). */
import * as z from "zod";
import { configSchema } from "./schema.js";

let cached: unknown;

export function configJsonSchema(): unknown {
  cached ??= {
    ...(z.toJSONSchema(configSchema(), { unrepresentable: "any", io: "input" }) as Record<string, unknown>),
    title: "openclaw.json",
  };
  return cached;
}
