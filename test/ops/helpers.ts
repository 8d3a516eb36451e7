/** Reading the deployment files the way Docker and Fly.io read them. */
import fs from "node:fs";
import path from "node:path";
import { DockerfileParser, type Instruction, type ModifiableInstruction, type PropertyInstruction } from "dockerfile-ast";
import { parse as parseToml } from "smol-toml";
import { ROOT, fixturePath } from "../helpers/fixtures.js";

export interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

/** The Dockerfile split into stages, each with its own instructions (FROM excluded). */
export function dockerStages(file = path.join(ROOT, "Dockerfile")): Stage[] {
  const df = DockerfileParser.parse(fs.readFileSync(file, "utf8"));
  const stages: Stage[] = [];
  for (const ins of df.getInstructions()) {
    if (ins.getKeyword() === "FROM") {
      const [image, , name] = (ins.getArgumentsContent() ?? "").split(/\s+/);
      stages.push({ name: name ?? null, image: image ?? "", instructions: [] });
    } else stages.at(-1)?.instructions.push(ins);
  }
  return stages;
}

export const args = (ins: Instruction) => ins.getArgumentsContent() ?? "";
export const keyword = (stage: Stage, kw: string) => stage.instructions.filter((i) => i.getKeyword() === kw);

/** `--name=value` flags of COPY, HEALTHCHECK, … */
export const flags = (ins: Instruction): Record<string, string | null> =>
  Object.fromEntries((ins as ModifiableInstruction).getFlags().map((f) => [f.getName(), f.getValue()]));

/** `KEY=value` pairs of ENV/ARG instructions. */
export const properties = (ins: Instruction): Record<string, string | null> =>
  Object.fromEntries((ins as PropertyInstruction).getProperties().map((p) => [p.getName(), p.getValue()]));

/** An exec-form instruction's argv (`CMD ["node", …]`, `HEALTHCHECK … CMD [...]`). */
export function execForm(ins: Instruction): string[] {
  const text = args(ins);
  return JSON.parse(text.slice(text.indexOf("["))) as string[];
}

/** A TOML file as plain JSON values (the parser's tables have no prototype). */
export function readToml(file: string): Record<string, any> {
  return JSON.parse(JSON.stringify(parseToml(fs.readFileSync(path.isAbsolute(file) ? file : path.join(ROOT, file), "utf8")))) as Record<
    string,
    any
  >;
}

export const seedFlyToml = () => readToml(fixturePath("reference/seed-fly.toml"));
export const GUIDE_COMMAND = "node dist/index.js gateway --allow-unconfigured --port 3000 --bind lan";
