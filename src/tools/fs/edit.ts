/**
 * `edit`: replaces one exact piece of a file's text. The old text must occur exactly once, so an
 * edit never lands somewhere the model did not mean; line endings and a byte-order mark are kept.
 */
import { defineTool, type ToolResult } from "../registry.js";
import { arg, displayPath, fail, fsFailure, readBounded, resolvePath, withAliases, writeAtomic } from "./files.js";

function countOf(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

export const editTool = defineTool({
  name: "edit",
  description:
    "Edit a file by replacing exact text. oldText must match the file exactly (whitespace and newlines included) and occur once; " +
    "include surrounding lines to make it unique.",
  args: () =>
    withAliases(
      ["path", "oldText", "newText"],
      {
        path: "Path of the file to edit (relative to the workspace, or absolute)",
        oldText: "The exact text to replace; it must occur exactly once in the file",
        newText: "The text to put in its place",
      },
      {},
    ),
  async run(args, ctx): Promise<ToolResult> {
    const file = resolvePath(arg(args, "path"), ctx.workspaceDir);
    const shown = displayPath(file, ctx.workspaceDir);
    const oldText = arg(args, "oldText").replace(/\r\n/g, "\n");
    const newText = arg(args, "newText").replace(/\r\n/g, "\n");
    if (!oldText) return fail(`oldText is empty. Give the exact text in ${shown} to replace (use write to replace a whole file).`);
    let raw: string;
    try {
      raw = (await readBounded(file)).toString("utf8");
    } catch (err) {
      return fsFailure("edit", shown, err);
    }
    const bom = raw.startsWith("\uFEFF") ? "\uFEFF" : "";
    const body = bom ? raw.slice(1) : raw;
    const crlf = body.includes("\r\n");
    const text = crlf ? body.replace(/\r\n/g, "\n") : body;
    const found = countOf(text, oldText);
    if (found === 0) {
      return fail(
        `oldText was not found in ${shown}. It must match the file exactly, whitespace and newlines included; read the file and copy the text from it.`,
      );
    }
    if (found > 1) {
      return fail(
        `oldText occurs ${found} times in ${shown}, so the edit is ambiguous and nothing was changed. Include more of the surrounding lines so it occurs once.`,
      );
    }
    if (oldText === newText) return fail(`oldText and newText are the same, so ${shown} would not change.`);
    const at = text.indexOf(oldText);
    const next = text.slice(0, at) + newText + text.slice(at + oldText.length);
    try {
      await writeAtomic(file, bom + (crlf ? next.replace(/\n/g, "\r\n") : next));
    } catch (err) {
      return fsFailure("edit", shown, err);
    }
    const line = text.slice(0, at).split("\n").length;
    return { text: `Replaced the text at line ${line} of ${shown}.`, details: { firstChangedLine: line } };
  },
});
