/** `write`: creates or replaces a whole file, making its parent directories; written crash-safely. */
import * as z from "zod";
import { defineTool, type ToolResult } from "../registry.js";
import { arg, displayPath, fsFailure, resolvePath, withAliases, writeAtomic } from "./files.js";

export const writeTool = defineTool({
  name: "write",
  description:
    "Write content to a file: creates it (and its parent directories) or overwrites it whole. Relative paths start at the workspace.",
  args: () =>
    withAliases(
      ["path"],
      { path: "Path of the file to write (relative to the workspace, or absolute)" },
      {
        content: z.string().describe("The file's complete new content"),
      },
    ),
  async run(args, ctx): Promise<ToolResult> {
    const file = resolvePath(arg(args, "path"), ctx.workspaceDir);
    const shown = displayPath(file, ctx.workspaceDir);
    try {
      await writeAtomic(file, args.content);
    } catch (err) {
      return fsFailure("write", shown, err);
    }
    return { text: `Wrote ${Buffer.byteLength(args.content, "utf8")} bytes to ${shown}.` };
  },
});
