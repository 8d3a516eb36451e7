// The four functions Baileys takes from whatsapp-rust-bridge (md5, hkdf, the app-state key expansion
// and the LT hash), on Node's own crypto. The bridge carries its WebAssembly module inline, twice, as
// base64 (2 MB of source) and instantiates it when imported: ~14 MB resident for a linked account that
// needs none of its other exports. Same results, byte for byte (checked against the bridge by
// test/channels/whatsapp/rust-bridge-shim.test.ts).
import crypto from "node:crypto";

const bytes = (b) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export function md5(buffer) {
  return new Uint8Array(crypto.createHash("md5").update(bytes(buffer)).digest());
}

/** HKDF-SHA256; `info.salt` absent means an all-zero salt, as RFC 5869 says. */
export function hkdf(buffer, expandedLength, info = {}) {
  const salt = info.salt ? bytes(info.salt) : Buffer.alloc(0);
  return new Uint8Array(crypto.hkdfSync("sha256", bytes(buffer), salt, info.info ?? "", expandedLength));
}

export function expandAppStateKeys(keyData) {
  const k = hkdf(keyData, 160, { info: "WhatsApp Mutation Keys" });
  return {
    indexKey: k.slice(0, 32),
    valueEncryptionKey: k.slice(32, 64),
    valueMacKey: k.slice(64, 96),
    snapshotMacKey: k.slice(96, 128),
    patchMacKey: k.slice(128, 160),
  };
}

/** WhatsApp's LT hash: 128 bytes of little-endian 16-bit words, each item's HKDF added or taken away. */
export class LTHashAntiTampering {
  subtractThenAdd(base, subtract, add) {
    const out = new Uint8Array(base);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const apply = (item, sign) => {
      const h = hkdf(item, 128, { info: "WhatsApp Patch Integrity" });
      const hv = new DataView(h.buffer, h.byteOffset, h.byteLength);
      for (let i = 0; i < 128; i += 2) view.setUint16(i, view.getUint16(i, true) + sign * hv.getUint16(i, true), true);
    };
    for (const item of subtract) apply(item, -1);
    for (const item of add) apply(item, 1);
    return out;
  }
  free() {}
}
