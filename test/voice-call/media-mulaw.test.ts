import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FRAME_BYTES,
  Framer,
  PcmToMulaw,
  decodeMulaw,
  encodeMulaw,
  linearToMulaw,
  mulawToLinear,
  pcm16ToBytes,
  resample,
} from "../../src/voice-call/media/mulaw.js";

function tone(freq: number, rate: number, seconds: number, amp = 10000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate)));
}

function rms(pcm: Int16Array, skip = 0): number {
  let s = 0;
  for (let i = skip; i < pcm.length; i++) s += pcm[i]! * pcm[i]!;
  return Math.sqrt(s / (pcm.length - skip));
}

describe("μ-law", { timeout: 10_000 }, () => {
  it("encodes the G.711 reference points", () => {
    assert.equal(linearToMulaw(0), 0xff);
    assert.equal(linearToMulaw(32767), 0x80);
    assert.equal(linearToMulaw(-32768), 0x00);
    assert.equal(linearToMulaw(-1), 0x7f);
    assert.equal(linearToMulaw(100), 0xf2);
    assert.equal(linearToMulaw(-100), 0x72);
    assert.equal(linearToMulaw(1000), 0xce);
  });

  it("decodes the G.711 reference points", () => {
    assert.equal(mulawToLinear(0xff), 0);
    assert.equal(mulawToLinear(0x80), 32124);
    assert.equal(mulawToLinear(0x00), -32124);
    assert.equal(mulawToLinear(0xf2), 104);
    assert.equal(mulawToLinear(0xce), 988);
  });

  it("round-trips every code and stays within the quantisation step", () => {
    for (let b = 0; b < 256; b++) {
      if (b === 0x7f) continue; // negative zero encodes back as positive zero
      assert.equal(linearToMulaw(mulawToLinear(b)), b);
    }
    for (const v of [-30000, -5000, -300, -7, 0, 7, 300, 5000, 30000]) {
      const back = decodeMulaw(encodeMulaw(Int16Array.of(v)))[0]!;
      assert.ok(Math.abs(back - v) <= Math.max(8, Math.abs(v) / 16), `${v} came back as ${back}`);
    }
  });
});

describe("resampling", { timeout: 10_000 }, () => {
  it("keeps a 1 kHz tone from 24 kHz and 16 kHz at 8 kHz", () => {
    for (const rate of [24000, 16000]) {
      const out = resample(tone(1000, rate, 0.5), rate, 8000);
      assert.equal(out.length, 4000);
      const ratio = rms(out, 100) / rms(tone(1000, 8000, 0.5));
      assert.ok(ratio > 0.95 && ratio < 1.05, `rate ${rate}: level ratio ${ratio}`);
    }
  });

  it("removes content above 4 kHz instead of folding it back", () => {
    const out = resample(tone(6000, 24000, 0.5), 24000, 8000);
    assert.ok(rms(out, 100) < 200, `6 kHz leaked through at rms ${rms(out, 100)}`);
  });

  it("goes back up from 8 kHz", () => {
    const out = resample(tone(500, 8000, 0.25), 8000, 24000);
    assert.equal(out.length, 6000);
    const ratio = rms(out, 10) / rms(tone(500, 24000, 0.25));
    assert.ok(ratio > 0.95 && ratio < 1.05, `level ratio ${ratio}`);
  });

  it("streams across odd chunk boundaries with the same result as one buffer", () => {
    const pcm = tone(440, 24000, 0.2);
    const bytes = pcm16ToBytes(pcm);
    const whole = new PcmToMulaw(24000).push(bytes);
    const conv = new PcmToMulaw(24000);
    const parts: Buffer[] = [];
    for (let off = 0; off < bytes.length; off += 333) parts.push(conv.push(bytes.subarray(off, off + 333)));
    assert.deepEqual(Buffer.concat(parts), whole);
    assert.equal(whole.length, 1600);
  });

  it("frames μ-law into 160-byte frames, padding the last with silence", () => {
    const f = new Framer();
    assert.equal(f.push(Buffer.alloc(100, 1)).length, 0);
    const frames = f.push(Buffer.alloc(300, 1));
    assert.equal(frames.length, 2);
    assert.ok(frames.every((x) => x.length === FRAME_BYTES));
    const last = f.flush();
    assert.equal(last.length, 1);
    assert.equal(last[0]!.length, FRAME_BYTES);
    assert.equal(last[0]![79], 1);
    assert.equal(last[0]![80], 0xff);
    assert.equal(f.flush().length, 0);
  });
});
