/**
 * JSON5 text → value. What the gateway and OpenClaw write is plain JSON, which `JSON.parse` reads;
 * the JSON5 parser (comments, trailing commas, unquoted keys) loads the first time a text needs it,
 * and gives the error for text that is neither. Plain JSON reads the same either way, except that a
 * `"__proto__"` key stays an ordinary key (`JSON.parse`), where the JSON5 parser would make it the
 * object's prototype.
 */
import { createRequire } from "node:module";

type Json5 = { parse(text: string): unknown };
let json5: Json5 | undefined;

export function parseJson5Text(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not plain JSON: JSON5 reads it, or says what is wrong with it.
  }
  json5 ??= createRequire(import.meta.url)("json5") as Json5;
  return json5.parse(text);
}
