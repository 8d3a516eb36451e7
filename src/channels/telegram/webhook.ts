/**
 * The webhook listener: a small node:http server that hands `POST <path>` bodies to grammY's webhook
 * callback, which checks `X-Telegram-Bot-Api-Secret-Token` (401 when it is wrong, before reading the
 * body) and runs the bot's middleware. Anything else answers 404/405.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { webhookCallback, type Bot } from "grammy";

export interface WebhookListener {
  /** The bound address (`port` is the real one when 0 was asked for). */
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function listenWebhook(
  bot: Bot,
  opts: { host: string; port: number; path: string; secret: string; onError: (err: unknown) => void },
): Promise<WebhookListener> {
  const handle = webhookCallback(bot, "http", { secretToken: opts.secret, onTimeout: "return", timeoutMilliseconds: 10_000 });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== opts.path) {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    handle(req, res).catch((err: unknown) => {
      opts.onError(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    host: addr.address,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
