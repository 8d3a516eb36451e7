import { spawn } from "node:child_process"; import fs from "node:fs"; import os from "node:os"; import path from "node:path";
const entry = process.argv[2];
const d = fs.mkdtempSync(path.join(os.tmpdir(), "s-")); fs.copyFileSync("../shared/reference/seed-openclaw.json", d + "/openclaw.json");
const t0 = Date.now(); let tl = null;
const p = spawn(process.execPath, [entry, "gateway", "--allow-unconfigured", "--port", "0"], { env: { ...process.env, OPENCLAW_STATE_DIR: d, OPENCLAW_GATEWAY_TOKEN: "abcdefghijkl" }, stdio: ["ignore", "pipe", "inherit"] });
p.stdout.on("data", (x) => { if (tl === null && /listening/.test(String(x))) tl = Date.now() - t0; });
const out = [];
for (const t of [1, 3, 12]) { await new Promise(r => setTimeout(r, t * 1000 - (Date.now() - t0))); out.push(`${t}s:${(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p.pid}/status`, "utf8"))[1]) / 1024).toFixed(1)}`); }
console.log(entry, "listening", tl, "ms", out.join("  ")); p.kill();
