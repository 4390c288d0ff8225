// xxHash64 and xxHash32 (Yann Collet's XXH64 / XXH32), as System.IO.Hashing computes them.

// 64-bit arithmetic on pairs of unsigned 32-bit halves (BigInt is several times slower).
// Results of the helpers are left in H and L.
let H = 0;
let L = 0;

function mul(ah, al, bh, bl) {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const c0 = a0 * b0;
  const c1 = a1 * b0 + a0 * b1 + (c0 >>> 16); // < 2^34: exact in a double
  L = (((c1 & 0xffff) << 16) | (c0 & 0xffff)) >>> 0;
  H = (a1 * b1 + Math.floor(c1 / 65536) + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** The low 64 bits of [ah, al] × [bh, bl] (32-bit halves) into out as [high, low]. */
export function mul64Into(ah, al, bh, bl, out) {
  mul(ah, al, bh, bl);
  out[0] = H;
  out[1] = L;
}

function add(ah, al, bh, bl) {
  const lo = al + bl;
  L = lo >>> 0;
  H = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function rotl(h, l, r) { // 0 < r < 32
  H = ((h << r) | (l >>> (32 - r))) >>> 0;
  L = ((l << r) | (h >>> (32 - r))) >>> 0;
}

const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

// round(acc, lane) = rotl(acc + lane * P2, 31) * P1
function round(ah, al, lh, ll) {
  mul(lh, ll, P2H, P2L);
  add(ah, al, H, L);
  rotl(H, L, 31);
  mul(H, L, P1H, P1L);
}

/**
 * xxHash64 of `data` with a seed given as two 32-bit halves; the hash is left in `out` as [high, low].
 * @param {Uint8Array} data @param {number} seedHi @param {number} seedLo @param {Uint32Array} out
 */
export function xxh64Into(data, seedHi, seedLo, out) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length;
  let i = 0;
  let hh;
  let hl;
  if (n >= 32) {
    add(seedHi, seedLo, P1H, P1L); add(H, L, P2H, P2L);
    let v1h = H, v1l = L;
    add(seedHi, seedLo, P2H, P2L);
    let v2h = H, v2l = L;
    let v3h = seedHi, v3l = seedLo;
    add(seedHi, seedLo, ~P1H >>> 0, ~P1L >>> 0); add(H, L, 0, 1); // seed - P1
    let v4h = H, v4l = L;
    for (; i <= n - 32; i += 32) {
      round(v1h, v1l, view.getUint32(i + 4, true), view.getUint32(i, true)); v1h = H; v1l = L;
      round(v2h, v2l, view.getUint32(i + 12, true), view.getUint32(i + 8, true)); v2h = H; v2l = L;
      round(v3h, v3l, view.getUint32(i + 20, true), view.getUint32(i + 16, true)); v3h = H; v3l = L;
      round(v4h, v4l, view.getUint32(i + 28, true), view.getUint32(i + 24, true)); v4h = H; v4l = L;
    }
    rotl(v1h, v1l, 1); hh = H; hl = L;
    rotl(v2h, v2l, 7); add(hh, hl, H, L); hh = H; hl = L;
    rotl(v3h, v3l, 12); add(hh, hl, H, L); hh = H; hl = L;
    rotl(v4h, v4l, 18); add(hh, hl, H, L); hh = H; hl = L;
    for (const [vh, vl] of [[v1h, v1l], [v2h, v2l], [v3h, v3l], [v4h, v4l]]) {
      round(0, 0, vh, vl);
      hh ^= H; hl ^= L;
      mul(hh >>> 0, hl >>> 0, P1H, P1L); add(H, L, P4H, P4L); hh = H; hl = L;
    }
  } else {
    add(seedHi, seedLo, P5H, P5L); hh = H; hl = L;
  }
  add(hh, hl, Math.floor(n / 4294967296), n >>> 0); hh = H; hl = L;
  for (; i + 8 <= n; i += 8) {
    round(0, 0, view.getUint32(i + 4, true), view.getUint32(i, true));
    rotl((hh ^ H) >>> 0, (hl ^ L) >>> 0, 27);
    mul(H, L, P1H, P1L); add(H, L, P4H, P4L); hh = H; hl = L;
  }
  if (i + 4 <= n) {
    mul(0, view.getUint32(i, true), P1H, P1L);
    rotl((hh ^ H) >>> 0, (hl ^ L) >>> 0, 23);
    mul(H, L, P2H, P2L); add(H, L, P3H, P3L); hh = H; hl = L;
    i += 4;
  }
  for (; i < n; i++) {
    mul(0, data[i], P5H, P5L);
    rotl((hh ^ H) >>> 0, (hl ^ L) >>> 0, 11);
    mul(H, L, P1H, P1L); hh = H; hl = L;
  }
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul(hh, hl, P2H, P2L); hh = H; hl = L;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0; hh = (hh ^ (hh >>> 29)) >>> 0;
  mul(hh, hl, P3H, P3L); hh = H; hl = L;
  hl = (hl ^ hh) >>> 0;
  out[0] = hh;
  out[1] = hl;
}

const scratch = new Uint32Array(2);

/** xxHash64 of `data` with a 64-bit seed, as a bigint. @param {Uint8Array} data @param {bigint} seed @returns {bigint} */
export function xxh64(data, seed = 0n) {
  seed = BigInt.asUintN(64, seed);
  xxh64Into(data, Number(seed >> 32n), Number(seed & 0xffffffffn), scratch);
  return (BigInt(scratch[0]) << 32n) | BigInt(scratch[1]);
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
