// xxHash64 and xxHash32 (Yann Collet's XXH64 / XXH32), as System.IO.Hashing computes them.

const M64 = 0xffffffffffffffffn;
const P64_1 = 0x9e3779b185ebca87n;
const P64_2 = 0xc2b2ae3d27d4eb4fn;
const P64_3 = 0x165667b19e3779f9n;
const P64_4 = 0x85ebca77c2b2ae63n;
const P64_5 = 0x27d4eb2f165667c5n;

const rotl64 = (x, r) => ((x << r) | (x >> (64n - r))) & M64;
const round64 = (acc, lane) => (rotl64((acc + lane * P64_2) & M64, 31n) * P64_1) & M64;
const merge64 = (acc, val) => (((acc ^ round64(0n, val)) * P64_1) + P64_4) & M64;

/** @param {Uint8Array} data @param {bigint} seed @returns {bigint} */
export function xxh64(data, seed = 0n) {
  seed &= M64;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length;
  let i = 0;
  let h;
  if (n >= 32) {
    let v1 = (seed + P64_1 + P64_2) & M64;
    let v2 = (seed + P64_2) & M64;
    let v3 = seed;
    let v4 = (seed - P64_1) & M64;
    for (; i <= n - 32; i += 32) {
      v1 = round64(v1, view.getBigUint64(i, true));
      v2 = round64(v2, view.getBigUint64(i + 8, true));
      v3 = round64(v3, view.getBigUint64(i + 16, true));
      v4 = round64(v4, view.getBigUint64(i + 24, true));
    }
    h = (rotl64(v1, 1n) + rotl64(v2, 7n) + rotl64(v3, 12n) + rotl64(v4, 18n)) & M64;
    h = merge64(h, v1);
    h = merge64(h, v2);
    h = merge64(h, v3);
    h = merge64(h, v4);
  } else {
    h = (seed + P64_5) & M64;
  }
  h = (h + BigInt(n)) & M64;
  for (; i + 8 <= n; i += 8) {
    h ^= round64(0n, view.getBigUint64(i, true));
    h = ((rotl64(h, 27n) * P64_1) + P64_4) & M64;
  }
  if (i + 4 <= n) {
    h ^= (BigInt(view.getUint32(i, true)) * P64_1) & M64;
    h = ((rotl64(h, 23n) * P64_2) + P64_3) & M64;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(data[i]) * P64_5) & M64;
    h = (rotl64(h, 11n) * P64_1) & M64;
  }
  h ^= h >> 33n;
  h = (h * P64_2) & M64;
  h ^= h >> 29n;
  h = (h * P64_3) & M64;
  h ^= h >> 32n;
  return h;
}

const P32_1 = 0x9e3779b1;
const P32_2 = 0x85ebca77;
const P32_3 = 0xc2b2ae3d;
const P32_4 = 0x27d4eb2f;
const P32_5 = 0x165667b1;
const rotl32 = (x, r) => ((x << r) | (x >>> (32 - r))) >>> 0;
const round32 = (acc, lane) => Math.imul(rotl32((acc + Math.imul(lane, P32_2)) >>> 0, 13), P32_1) >>> 0;

/** @param {Uint8Array} data @param {number} seed @returns {number} an unsigned 32-bit hash */
export function xxh32(data, seed = 0) {
  seed >>>= 0;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length;
  let i = 0;
  let h;
  if (n >= 16) {
    let v1 = (seed + P32_1 + P32_2) >>> 0;
    let v2 = (seed + P32_2) >>> 0;
    let v3 = seed;
    let v4 = (seed - P32_1) >>> 0;
    for (; i <= n - 16; i += 16) {
      v1 = round32(v1, view.getUint32(i, true));
      v2 = round32(v2, view.getUint32(i + 4, true));
      v3 = round32(v3, view.getUint32(i + 8, true));
      v4 = round32(v4, view.getUint32(i + 12, true));
    }
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) >>> 0;
  } else {
    h = (seed + P32_5) >>> 0;
  }
  h = (h + n) >>> 0;
  for (; i + 4 <= n; i += 4) {
    h = (h + Math.imul(view.getUint32(i, true), P32_3)) >>> 0;
    h = Math.imul(rotl32(h, 17), P32_4) >>> 0;
  }
  for (; i < n; i++) {
    h = (h + Math.imul(data[i], P32_5)) >>> 0;
    h = Math.imul(rotl32(h, 11), P32_1) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P32_2) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, P32_3) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
