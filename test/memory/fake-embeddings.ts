/**
 * A fake OpenAI-compatible embeddings server on 127.0.0.1: `POST /embeddings` turns each input into a
 * small vector where words of one "concept" share a dimension (car/automobile/vehicle, …), so a
 * search by meaning finds text that shares no word with the query. Records every request.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

const CONCEPTS: string[][] = [
  ["car", "automobile", "vehicle", "sedan"],
  ["dentist", "teeth", "tooth", "dental"],
  ["birthday", "anniversary", "celebration"],
  ["cat", "kitten", "feline"],
];
const DIMS = 32;

function vectorFor(text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const c = CONCEPTS.findIndex((words) => words.includes(word));
    if (c >= 0) v[c]! += 3;
    else v[CONCEPTS.length + ([...word].reduce((h, ch) => h * 31 + ch.charCodeAt(0), 7) % (DIMS - CONCEPTS.length))]! += 0.2;
  }
  return v;
}

export class FakeEmbeddings {
  requests: { model: string; input: string[]; authorization?: string }[] = [];
  fail = false;
  private constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeEmbeddings> {
    let self!: FakeEmbeddings;
    const server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (d: Buffer) => parts.push(d));
      req.on("end", () => {
        if (req.method !== "POST" || req.url !== "/v1/embeddings") {
          res.writeHead(404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as { model: string; input: string[] };
        self.requests.push({
          model: body.model,
          input: body.input,
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        });
        if (self.fail) {
          res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "bad model" } }));
          return;
        }
        const data = body.input.map((t, index) => ({ object: "embedding", index, embedding: vectorFor(t) }));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data, model: body.model }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    self = new FakeEmbeddings(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    return self;
  }

  get inputs(): number {
    return this.requests.reduce((n, r) => n + r.input.length, 0);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
