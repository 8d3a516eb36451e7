/**
 * A fake npm registry on 127.0.0.1: packuments (`GET /<name>`) and tarballs (`GET /<name>/-/<file>`),
 * as npm's own client fetches them. Point npm at it with `npm_config_registry=<url>/`.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

interface Version {
  tarball: Buffer;
  manifest: Record<string, unknown>;
}

export interface FakeNpmRegistry {
  url: string;
  /** Publishes `tarball` (an `npm pack` output) as name@version and makes it `latest`. */
  publish(manifest: { name: string; version: string; [k: string]: unknown }, tarball: Buffer): void;
  /** Request paths seen, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeNpmRegistry(): Promise<FakeNpmRegistry> {
  const packages = new Map<string, { latest: string; versions: Map<string, Version> }>();
  const requests: string[] = [];
  let url = "";
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).slice(1);
    requests.push(p);
    const notFound = () => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Not found" }));
    };
    const tar = /^(.+)\/-\/[^/]+-(\d+\.\d+\.\d+)\.tgz$/.exec(p);
    if (tar) {
      const v = packages.get(tar[1]!)?.versions.get(tar[2]!);
      if (!v) return notFound();
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": v.tarball.length });
      return res.end(v.tarball);
    }
    const pkg = packages.get(p);
    if (!pkg) return notFound();
    const versions = Object.fromEntries(
      [...pkg.versions].map(([version, v]) => [
        version,
        {
          ...v.manifest,
          dist: {
            tarball: `${url}/${p}/-/${p.split("/").pop()}-${version}.tgz`,
            shasum: crypto.createHash("sha1").update(v.tarball).digest("hex"),
            integrity: `sha512-${crypto.createHash("sha512").update(v.tarball).digest("base64")}`,
          },
        },
      ]),
    );
    // No caching: a newly published version must be seen by the next npm run.
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ name: p, "dist-tags": { latest: pkg.latest }, versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    publish(manifest, tarball) {
      const entry = packages.get(manifest.name) ?? { latest: manifest.version, versions: new Map() };
      entry.versions.set(manifest.version, { tarball, manifest });
      entry.latest = manifest.version;
      packages.set(manifest.name, entry);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
