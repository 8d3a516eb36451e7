/**
 * Telephone audio: G.711 μ-law at 8 kHz, the format Twilio media streams carry, in 20 ms frames of
 * 160 bytes. Speech engines produce 16-bit PCM at 24 kHz (OpenAI) or 16 kHz, so this file also
 * resamples: a windowed-sinc low-pass before dropping samples (no aliasing), linear interpolation
 * when going up. Resamplers keep state between chunks so streamed audio has no seams.
 */

/** Bytes in one 20 ms μ-law frame at 8 kHz. */
export const FRAME_BYTES = 160;
/** The byte a silent μ-law sample encodes to. */
export const MULAW_SILENCE = 0xff;

const BIAS = 0x84;
const CLIP = 32635;

/** One 16-bit linear sample to one μ-law byte. */
export function linearToMulaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One μ-law byte to one 16-bit linear sample. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

const DECODE_TABLE = Int16Array.from({ length: 256 }, (_, i) => mulawToLinear(i));

export function encodeMulaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = linearToMulaw(pcm[i]!);
  return out;
}

export function decodeMulaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE_TABLE[bytes[i]!]!;
  return out;
}

/** Little-endian PCM16 bytes to samples (an odd trailing byte is ignored; see `Pcm16Reader`). */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = ((bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16) >> 16;
  return out;
}

export function pcm16ToBytes(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, 2 * i);
  return out;
}

/** Low-pass taps (Blackman-windowed sinc) with cutoff `cutoff` as a fraction of the input rate. */
function lowPassTaps(cutoff: number, count: number): Float64Array {
  const taps = new Float64Array(count);
  const mid = (count - 1) / 2;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (count - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (count - 1));
    taps[i] = sinc * w;
    sum += taps[i]!;
  }
  for (let i = 0; i < count; i++) taps[i]! /= sum;
  return taps;
}

const TAPS = 63;

/**
 * A streaming PCM16 resampler from `from` Hz to `to` Hz. Going down it low-passes at 90% of the
 * output's Nyquist frequency, then picks samples; going up it interpolates linearly.
 */
export class Resampler {
  private readonly taps: Float64Array | null;
  /** Input samples kept from earlier chunks (filter history, or the last sample when going up). */
  private history: Float64Array;
  /** Position of the next output sample in input samples, times `to` (integers: no drift). */
  private pos = 0;

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    if (!(from > 0 && to > 0)) throw new Error(`sample rates must be positive (got ${from} → ${to})`);
    this.taps = to < from ? lowPassTaps((0.45 * to) / from, TAPS) : null;
    this.history = new Float64Array(this.taps ? TAPS - 1 : 1);
  }

  push(input: Int16Array): Int16Array {
    if (this.from === this.to) return input.slice();
    const h = this.history.length;
    const buf = new Float64Array(h + input.length);
    buf.set(this.history);
    for (let i = 0; i < input.length; i++) buf[h + i] = input[i]!;
    const out: number[] = [];
    if (this.taps) {
      // Output sample at input index p (relative to the new chunk) uses buf[p .. p + TAPS - 1],
      // centred at p + h/2: a fixed delay of h/2 samples.
      while (this.pos < input.length * this.to) {
        const p = Math.floor(this.pos / this.to);
        let acc = 0;
        for (let k = 0; k < TAPS; k++) acc += buf[p + k]! * this.taps[k]!;
        out.push(acc);
        this.pos += this.from;
      }
    } else {
      // buf[0] is the previous chunk's last sample; output at position pos (relative to buf[0]).
      while (this.pos < input.length * this.to) {
        const p = Math.floor(this.pos / this.to);
        const f = (this.pos % this.to) / this.to;
        out.push(buf[p]! + (buf[p + 1]! - buf[p]!) * f);
        this.pos += this.from;
      }
    }
    this.pos -= input.length * this.to;
    this.history = buf.slice(buf.length - h);
    return Int16Array.from(out, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
  }
}

/** One-shot resampling of a whole buffer. */
export function resample(pcm: Int16Array, from: number, to: number): Int16Array {
  return new Resampler(from, to).push(pcm);
}

/**
 * Turns streamed PCM16 bytes (any chunking, odd lengths included) at `rate` Hz into 8 kHz μ-law
 * bytes.
 */
export class PcmToMulaw {
  private carry: number | null = null;
  private readonly resampler: Resampler;

  constructor(rate: number) {
    this.resampler = new Resampler(rate, 8000);
  }

  push(chunk: Uint8Array): Buffer {
    let bytes: Uint8Array = chunk;
    if (this.carry !== null) {
      const joined = new Uint8Array(chunk.length + 1);
      joined[0] = this.carry;
      joined.set(chunk, 1);
      bytes = joined;
      this.carry = null;
    }
    if (bytes.length % 2) {
      this.carry = bytes[bytes.length - 1]!;
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    return encodeMulaw(this.resampler.push(pcm16FromBytes(bytes)));
  }
}

/** Cuts a μ-law byte stream into 160-byte (20 ms) frames; `flush` pads the last one with silence. */
export class Framer {
  private pending: Buffer = Buffer.alloc(0);

  push(bytes: Uint8Array): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : Buffer.from(bytes);
    const frames: Buffer[] = [];
    let off = 0;
    while (this.pending.length - off >= FRAME_BYTES) {
      frames.push(this.pending.subarray(off, off + FRAME_BYTES));
      off += FRAME_BYTES;
    }
    this.pending = this.pending.subarray(off);
    return frames;
  }

  flush(): Buffer[] {
    if (!this.pending.length) return [];
    const last = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    this.pending.copy(last);
    this.pending = Buffer.alloc(0);
    return [last];
  }
}
