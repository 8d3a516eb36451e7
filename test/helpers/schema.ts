/** Checks frames against the published protocol v3 JSON Schema (the contract clients are built on). */
import Ajv from "ajv";
import { fixture } from "./fixtures.js";

const schema = JSON.parse(fixture("reference/protocol-v3.schema.json")) as {
  definitions: Record<string, unknown>;
};
const ajv = new Ajv.default({ strict: false, allErrors: true });
ajv.addSchema({ $id: "v3", definitions: schema.definitions });

/** Throws with ajv's errors when `value` does not match definition `name`. */
export function assertMatches(name: string, value: unknown): void {
  const validate = ajv.getSchema(`v3#/definitions/${name}`);
  if (!validate) throw new Error(`no definition ${name}`);
  if (!validate(value)) throw new Error(`${name} mismatch: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
}
