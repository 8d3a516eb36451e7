/** `openclaw agent --message …` (streams the reply), `openclaw sessions list`, `openclaw models list`. */
import { table } from "./table.js";
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { GatewayClient } from "./client.js";
import { callGateway, connectGateway, fail, printJson } from "./call.js";
import { resolveTarget, type TargetFlags } from "./target.js";

function targetOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "connect timeout in milliseconds", "10000");
}

interface AgentFlags extends TargetFlags {
  message: string;
  agent?: string;
  session?: string;
  json?: boolean;
}

async function runAgentCommand(flags: AgentFlags): Promise<void> {
  const target = resolveTarget(flags);
  const runId = randomUUID();
  let finished!: (code: number) => void;
  const exit = new Promise<number>((r) => (finished = r));
  let printed = "";
  const client = new GatewayClient({
    url: target.url,
    token: target.token,
    password: target.password,
    timeoutMs: target.timeoutMs,
    onEvent: (event, payload) => {
      const p = payload as {
        runId?: string;
        stream?: string;
        data?: Record<string, unknown>;
        state?: string;
        message?: { content?: Array<{ text?: string }> };
        errorMessage?: string;
      };
      if (p.runId !== runId) return;
      if (event === "agent" && p.stream === "assistant" && !flags.json) {
        const delta = String(p.data?.delta ?? "");
        printed += delta;
        process.stdout.write(delta);
      }
      if (event === "chat" && p.state && p.state !== "delta") {
        const text = p.message?.content?.map((c) => c.text ?? "").join("") ?? "";
        if (flags.json) printJson(payload);
        else {
          // Command replies and anything not streamed arrive only with the final event.
          if (text.startsWith(printed) && text.length > printed.length) process.stdout.write(text.slice(printed.length));
          if (text || printed) process.stdout.write("\n");
          if (p.state === "error") process.stderr.write(`error: ${p.errorMessage}\n`);
          if (p.state === "aborted") process.stderr.write("(stopped)\n");
        }
        finished(p.state === "error" ? 1 : 0);
      }
    },
  });
  try {
    await connectGateway(client, target);
    const sessionKey = flags.session ?? (flags.agent ? `agent:${flags.agent}:main` : "main");
    await client.request("chat.send", { sessionKey, message: flags.message, idempotencyKey: runId });
    process.exitCode = await exit;
  } catch (e) {
    fail((e as Error).message);
  } finally {
    client.close();
  }
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export function registerAgent(program: Command): void {
  targetOptions(
    program
      .command("agent")
      .description("Send a message to an agent through the running gateway and stream the reply")
      .requiredOption("-m, --message <text>", "the message")
      .option("--agent <id>", "agent id (default: the default agent)")
      .option("--session <key>", "session key (default: the agent's main session)")
      .option("--json", "print the final chat event as JSON"),
  ).action((flags: AgentFlags) => runAgentCommand(flags));

  const sessions = program.command("sessions").description("Conversations kept by the gateway");
  targetOptions(
    sessions
      .command("list")
      .description("List sessions, most recent first")
      .option("--json", "print JSON")
      .option("--limit <n>", "at most this many"),
  ).action(async (flags: TargetFlags & { json?: boolean; limit?: string }) => {
    try {
      const res = await callGateway<{ sessions: Array<Record<string, unknown> & { key: string; updatedAt: number }> }>(
        "sessions.list",
        flags.limit ? { limit: Number(flags.limit) } : {},
        flags,
      );
      if (flags.json) return printJson(res);
      if (res.sessions.length === 0) return void process.stdout.write("no sessions yet\n");
      const now = Date.now();
      const rows = [["KEY", "UPDATED", "MODEL", "TOKENS", "COST"]];
      for (const s of res.sessions)
        rows.push([
          s.key,
          age(now - s.updatedAt),
          s.model ? `${s.modelProvider ? `${String(s.modelProvider)}/` : ""}${String(s.model)}` : "",
          String((s.usageTotals as { total?: number } | undefined)?.total ?? s.totalTokens ?? 0),
          `$${Number(s.costUsd ?? 0).toFixed(4)}`,
        ]);
      process.stdout.write(table(rows) + "\n");
    } catch (e) {
      fail((e as Error).message);
    }
  });

  const models = program.command("models").description("Models the gateway can use");
  targetOptions(models.command("list").description("List configured and available models").option("--json", "print JSON")).action(
    async (flags: TargetFlags & { json?: boolean }) => {
      try {
        const res = await callGateway<{ models: Array<{ id: string; provider: string; name: string; contextWindow?: number }> }>(
          "models.list",
          {},
          flags,
        );
        if (flags.json) return printJson(res);
        const rows = [["MODEL", "NAME", "CONTEXT"]];
        for (const m of res.models) rows.push([`${m.provider}/${m.id}`, m.name, m.contextWindow ? String(m.contextWindow) : ""]);
        process.stdout.write(table(rows) + "\n");
      } catch (e) {
        fail((e as Error).message);
      }
    },
  );
}
