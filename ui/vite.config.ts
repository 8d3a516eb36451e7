/**
 * Builds the Control UI into `dist/control-ui/`. Asset URLs are relative (`./assets/...`); the gateway
 * makes them absolute under `gateway.controlUi.basePath` when it serves index.html, so one build works
 * under any prefix.
 */
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  root: here,
  base: "./",
  publicDir: "public",
  logLevel: "warn",
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: {
    outDir: fileURLToPath(new URL("../dist/control-ui", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
