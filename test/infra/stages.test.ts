/** The stage recorder keeps a bounded buffer in memory and the rest of the samples on disk until it writes its summary. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { setImmediate as tick } from "node:timers/promises";
import { StageRecorder, stageTime } from "../../src/infra/stages.js";
import { tmpDir } from "../helpers/gateway.js";

describe("stage recorder", { timeout: 20_000 }, () => {
  it("puts samples on disk as they come and summarises all of them, in order, at the end", async () => {
    const file = path.join(tmpDir(), "stages.json");
    fs.writeFileSync(`${file}.samples`, '{"intake":{"at":[1],"ms":[999]}}\n');
    const rec = new StageRecorder(file).start();
    assert.ok(!fs.existsSync(`${file}.samples`), "a killed run's samples are not this run's");
    for (let i = 0; i < 5000; i++) {
      stageTime("intake", i);
      stageTime("model_stream", i / 10);
    }
    while (!fs.existsSync(`${file}.samples`)) await tick();
    rec.stop();
    stageTime("intake", 123_456); // after stop: not recorded
    await rec.writeSummary();
    assert.ok(!fs.existsSync(`${file}.samples`), "the spill file is gone once summarised");
    const { stages, samples } = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(stages.intake.count, 5000);
    assert.equal(stages.model_stream.count, 5000);
    assert.equal(stages.intake.max, 4999);
    assert.deepEqual(
      samples.intake.ms,
      Array.from({ length: 5000 }, (_, i) => i),
    );
    assert.equal(samples.intake.at.length, 5000);
  });
});
