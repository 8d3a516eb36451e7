/**
 * The `<available_skills>` block added to the system prompt: each eligible skill's name, description
 * and the absolute path of its `SKILL.md`, which the model reads with its file tool when a task fits.
 * The XML shape is OpenClaw's (the Agent Skills convention), values XML-escaped.
 */
import type { SkillEntry, SkillsLoadOptions } from "./load.js";
import { eligibleOf } from "./status.js";

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** The block for these skills ("" when there are none). */
export function formatSkillsPrompt(skills: Array<Pick<SkillEntry, "name" | "description" | "filePath">>): string {
  if (skills.length === 0) return "";
  const lines = [
    "The skills below hold instructions for particular kinds of task.",
    "When a task fits a skill's description, read its SKILL.md at the location given (with the read tool) before you start.",
    "",
    "<available_skills>",
  ];
  for (const s of skills) {
    lines.push("  <skill>", `    <name>${escapeXml(s.name)}</name>`, `    <description>${escapeXml(s.description)}</description>`);
    lines.push(`    <location>${escapeXml(s.filePath)}</location>`, "  </skill>");
  }
  lines.push("</available_skills>");
  return lines.join("\n");
}

/**
 * The block for one agent run, from the skills loaded: eligible skills that the model may invoke
 * (`disable-model-invocation` leaves a skill out), narrowed to `skillFilter` when given. Runs get it
 * through `SkillsPrompts` (`snapshot.ts`), which keeps it between runs.
 */
export function skillsBlock(entries: SkillEntry[], o: SkillsLoadOptions & { skillFilter?: string[] }): string {
  return formatSkillsPrompt(eligibleOf(entries, o).filter((e) => !e.invocation.disableModelInvocation));
}
