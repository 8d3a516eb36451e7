/**
 * Writing .zip and .tar(.gz) archives byte by byte, including the ones no well-behaved tool would
 * make (`../` names, absolute paths, links pointing out): what an installer has to refuse.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export interface ArchiveEntry {
  name: string;
  /** File content; omitted for folders (names ending in "/") and links. */
  data?: string | Buffer;
  /** A symbolic link to this target. */
  symlink?: string;
  /** Unix permission bits (default 0644 for files, 0755 for folders). */
  mode?: number;
}

/** Every file under `dir` as entries named `<prefix><relative path>`. */
export function entriesOf(dir: string, prefix = ""): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      const rel = prefix + path.relative(dir, full).split(path.sep).join("/");
      if (e.isDirectory()) {
        out.push({ name: rel + "/" });
        walk(full);
      } else out.push({ name: rel, data: fs.readFileSync(full) });
    }
  };
  walk(dir);
  return out;
}

const bytes = (e: ArchiveEntry) => (e.symlink !== undefined ? Buffer.from(e.symlink) : Buffer.from(e.data ?? ""));

/** A zip with deflated files (stored for links and folders), Unix modes in the external attributes. */
export function makeZip(file: string, entries: ArchiveEntry[]): string {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const raw = bytes(e);
    const isDir = e.name.endsWith("/");
    const deflate = !isDir && e.symlink === undefined && raw.length > 0;
    const body = deflate ? zlib.deflateRawSync(raw) : raw;
    const crc = zlib.crc32(raw);
    const type = e.symlink !== undefined ? 0o120000 : isDir ? 0o040000 : 0o100000;
    const mode = type | (e.mode ?? (isDir ? 0o755 : 0o644));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, dir, end]));
  return file;
}

/** A ustar archive, gzipped when the file name ends in .tgz or .gz. */
export function makeTar(file: string, entries: ArchiveEntry[]): string {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const isDir = e.name.endsWith("/");
    const body = e.symlink !== undefined || isDir ? Buffer.alloc(0) : bytes(e);
    const h = Buffer.alloc(512);
    const put = (s: string, at: number, len: number) => h.write(s, at, len, "utf8");
    const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, "0") + "\0";
    put(e.name, 0, 100);
    put(octal(e.mode ?? (isDir ? 0o755 : 0o644), 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(body.length, 12), 124, 12);
    put(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
    put(e.symlink !== undefined ? "2" : isDir ? "5" : "0", 156, 1);
    if (e.symlink !== undefined) put(e.symlink, 157, 100);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    put("        ", 148, 8);
    let sum = 0;
    for (const b of h) sum += b;
    put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  fs.writeFileSync(file, /\.(tgz|gz)$/.test(file) ? zlib.gzipSync(tar) : tar);
  return file;
}
