/** The image installs ngrok only when built with INSTALL_NGROK=true, from ngrok's own apt repository. */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../helpers/gateway.js";

describe("INSTALL_NGROK build arg", { timeout: 10_000 }, () => {
  it("is off by default and installs the ngrok package from ngrok's apt repository", () => {
    const text = fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    assert.match(text, /^ARG INSTALL_NGROK=false$/m);
    const block = /if \[ "\$INSTALL_NGROK" = "true" \]; then([\s\S]*?)\bfi;/.exec(text)?.[1];
    assert.ok(block, "an INSTALL_NGROK block");
    assert.match(block, /https:\/\/ngrok-agent\.s3\.amazonaws\.com\/ngrok\.asc/);
    assert.match(block, /signed-by=\/etc\/apt\/keyrings\/ngrok\.asc\] https:\/\/ngrok-agent\.s3\.amazonaws\.com /);
    assert.match(block, /apt-get install -y --no-install-recommends ngrok/);
  });
});
