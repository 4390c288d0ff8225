// Prompt fingerprints: the normaliser, the slot-aware 64-bit SimHash and its LSH bands.
// A port of Reputation.Core.Prompts (PromptNormalizer, SimHash, PromptBands) to the rules of
// docs/prompt-fingerprints.md; clients/vectors holds the values every port must reproduce.

import { DATA, WS_CLASS, charClass, flags, isBlank, lowerInvariant } from './text.js';
import { mul64Into, xxh64Into } from './xxhash.js';

const QUOTED = '"_"';
const CODE = '`_`';
const CODE_BLOCK = '```_```';
const URL_MARK = '<url>';
const EMAIL = '<email>';
const NUMBER = '#';
const PLACEHOLDERS = new Set([QUOTED, CODE, CODE_BLOCK, URL_MARK, EMAIL, NUMBER]);

const L = charClass('letter');
const N = charClass('number');
const W = charClass('regexWord');
const D = charClass('regexDigit');
const S = WS_CLASS;

const REMOVED = new RegExp('[' + charClass('format') + charClass('privateUse') + ']', 'g');
const QUOTE_FOLD = /[\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb]/g;
const foldQuote = (q) => (q <= '\u201b' && q >= '\u2018' ? "'" : '"');
const WHITESPACE_RUN = new RegExp('[' + S + ']+', 'g');
const CODE_FENCE = /(?:```|~~~)[\s\S]*?(?:```|~~~|$)/g;
const INLINE_CODE = /`[^`]{1,500}`/g;
// No `i` flag: the scheme's letters match their ASCII capitals only, as in the reference.
const URL_RE = new RegExp(
  '(?<![' + L + N + '_#.@/\\-])(?:(?:[hH][tT][tT][pP][sS]?|[fF][tT][pP])://|[wW][wW][wW]\\.)[^' + S + '<>"\'`]+[^' + S + '<>"\'`.,;:!?)\\]}]', 'g');
const EMAIL_RE = new RegExp('(?<![' + W + '.+#\\-])[' + W + '][' + W + '.+\\-]*@[' + W + '\\-]+(?:\\.[' + W + '\\-]+)+', 'g');
const QUOTED_RE = new RegExp(
  '(?<![' + L + N + '])"[^"]{1,4000}"|(?<![' + L + N + "])'(?=[^" + S + "'])[^']{0,500}(?<=[^" + S + "'])'(?![" + L + N + '])', 'g');
const STRAY_QUOTE = new RegExp('["`]|(?<![' + L + "])'|'(?![" + L + '])', 'g');
const NUMBER_RE = new RegExp('[' + D + ']+(?:[.,][' + D + ']+)*', 'g');

const SCAFFOLD = new Set(DATA.scaffoldWords);
const STOP = new Set(DATA.stopWords);
const LETTER = flags('letter');
const LETTER_OR_DIGIT = flags('letterOrDigit');
const MARK = flags('mark');

// Seeds as [high, low] 32-bit halves: 0x5EED0001D15C0001, 0x5EED0003D15C0003, 0x5EED00FFD15C00FF.
const SINGLE_WORD_SEED = [0x5eed0001, 0xd15c0001];
const SHINGLE_SEED = [0x5eed0003, 0xd15c0003];
const WHOLE_SEED = [0x5eed00ff, 0xd15c00ff];
const STOP_WORD_WEIGHT = 0.25;
const MIN_SLOT_FACTOR_LOG2 = -6;
const QUARTER_POWERS = [1.0, 0.8408964152537145, 0.7071067811865476, 0.5946035575013605];
const encoder = new TextEncoder();

export const BANDS = 4;
export const BITS_PER_BAND = 16;

/** The normalised template text of a prompt (empty for an empty or blank prompt). */
export function normalize(prompt) {
  if (isBlank(prompt)) return '';
  let text = prompt.replace(REMOVED, '').replace(QUOTE_FOLD, foldQuote);
  text = text.replace(WHITESPACE_RUN, ' ');
  text = text.replace(CODE_FENCE, ' \ue001 ');
  text = text.replace(INLINE_CODE, ' \ue002 ');
  text = text.replace(URL_RE, ' \ue003 ');
  text = text.replace(EMAIL_RE, ' \ue004 ');
  text = text.replace(QUOTED_RE, ' \ue005 ');
  text = text.replace(STRAY_QUOTE, ' ');
  text = text.replace(NUMBER_RE, NUMBER);
  text = lowerInvariant(text);
  text = text.replace(WHITESPACE_RUN, ' ');
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) === 0x20) end--;
  return text.slice(start, end)
    .replaceAll('\ue001', CODE_BLOCK).replaceAll('\ue002', CODE).replaceAll('\ue003', URL_MARK)
    .replaceAll('\ue004', EMAIL).replaceAll('\ue005', QUOTED);
}

const unspaced = (c) => (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);

/** Words of normalised text: placeholders, single CJK characters, else runs of word characters. */
export function tokenize(normalized) {
  const words = [];
  for (const chunk of normalized.split(' ')) {
    if (chunk === '') continue;
    if (PLACEHOLDERS.has(chunk)) {
      words.push(chunk);
      continue;
    }
    let start = -1;
    const n = chunk.length;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? chunk.charCodeAt(i) : -1;
      if (c >= 0 && unspaced(c)) {
        if (start >= 0) {
          words.push(chunk.slice(start, i));
          start = -1;
        }
        words.push(chunk[i]);
        continue;
      }
      const inWord = c >= 0 && (c === 0x23 || c === 0x5f || LETTER_OR_DIGIT[c] === 1 || MARK[c] === 1
        || (c === 0x27 && i > 0 && i < n - 1 && LETTER[chunk.charCodeAt(i - 1)] === 1 && LETTER[chunk.charCodeAt(i + 1)] === 1));
      if (inWord && start < 0) start = i;
      else if (!inWord && start >= 0) {
        words.push(chunk.slice(start, i));
        start = -1;
      }
    }
  }
  return words;
}

function slotFactor(words, scaffold) {
  const share = Math.min(Math.max(((scaffold / words) - 0.4) / 0.2, 0), 1);
  const length = Math.min(Math.max((words - 6) / 6.0, 0), 1);
  const x = share * length * -MIN_SLOT_FACTOR_LOG2 * 4;
  let quarters = Math.floor(x);
  if (x - quarters >= 0.5) quarters++; // half away from zero (x is never negative)
  return QUARTER_POWERS[quarters % 4] * 2 ** -Math.floor(quarters / 4);
}

const hash = new Uint32Array(2);

const mixed = new Uint32Array(2);

function vote(votes, hi, lo, weight) {
  let h = hi;
  let l = lo;
  // m = h + 0x9E3779B97F4A7C15
  let sum = l + 0x7f4a7c15;
  l = sum >>> 0;
  h = (h + 0x9e3779b9 + (sum > 0xffffffff ? 1 : 0)) >>> 0;
  // m = (m ^ (m >> 30)) * 0xBF58476D1CE4E5B9
  mul64Into((h ^ (h >>> 30)) >>> 0, (l ^ ((l >>> 30) | (h << 2))) >>> 0, 0xbf58476d, 0x1ce4e5b9, mixed);
  h = mixed[0];
  l = mixed[1];
  // m = (m ^ (m >> 27)) * 0x94D049BB133111EB
  mul64Into((h ^ (h >>> 27)) >>> 0, (l ^ ((l >>> 27) | (h << 5))) >>> 0, 0x94d049bb, 0x133111eb, mixed);
  h = mixed[0];
  l = mixed[1];
  // m ^= m >> 31
  l = (l ^ ((l >>> 31) | (h << 1))) >>> 0;
  h = (h ^ (h >>> 31)) >>> 0;
  // (m >> 11) as a double: h * 2^21 + (l >>> 11), below 2^53
  weight *= 0.75 + (0.5 * (h * 2097152 + (l >>> 11)) / 9007199254740992);
  for (let bit = 0; bit < 32; bit++) {
    votes[bit] += ((lo >>> bit) & 1) ? weight : -weight;
    votes[bit + 32] += ((hi >>> bit) & 1) ? weight : -weight;
  }
}

/** The 64-bit fingerprint of text {@link normalize} produced, as [high, low] 32-bit halves; [0, 0] when it has no words. */
function fingerprintHalves(normalized) {
  const words = tokenize(normalized);
  if (words.length === 0) return [0, 0];
  const n = words.length;
  const hashes = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    xxh64Into(encoder.encode(words[i]), SINGLE_WORD_SEED[0], SINGLE_WORD_SEED[1], hash);
    hashes[2 * i] = hash[0];
    hashes[2 * i + 1] = hash[1];
  }
  const scaffold = words.map((w) => PLACEHOLDERS.has(w) || SCAFFOLD.has(w));
  const slot = slotFactor(n, scaffold.filter(Boolean).length);
  const votes = new Float64Array(64);
  for (let i = 0; i < n; i++) {
    const weight = STOP.has(words[i]) ? STOP_WORD_WEIGHT : 1.0;
    vote(votes, hashes[2 * i], hashes[2 * i + 1], scaffold[i] ? weight : weight * slot);
  }
  const triple = new Uint8Array(24);
  const view = new DataView(triple.buffer);
  for (let i = 0; i + 2 < n; i++) {
    for (let k = 0; k < 3; k++) { // each hash as 8 little-endian bytes
      view.setUint32(8 * k, hashes[2 * (i + k) + 1], true);
      view.setUint32(8 * k + 4, hashes[2 * (i + k)], true);
    }
    xxh64Into(triple, SHINGLE_SEED[0], SHINGLE_SEED[1], hash);
    vote(votes, hash[0], hash[1], scaffold[i] && scaffold[i + 1] && scaffold[i + 2] ? 1.0 : slot);
  }
  if (n < 3) {
    xxh64Into(encoder.encode(words.join(' ')), WHOLE_SEED[0], WHOLE_SEED[1], hash);
    vote(votes, hash[0], hash[1], 1.0);
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (votes[bit] > 0) lo |= 1 << bit;
    if (votes[bit + 32] > 0) hi |= 1 << bit;
  }
  return [hi >>> 0, lo >>> 0];
}

/** The 64-bit fingerprint of text {@link normalize} produced; 0n when it has no words. */
export function simhashNormalized(normalized) {
  const [hi, lo] = fingerprintHalves(normalized);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The 64-bit fingerprint of a raw prompt (0n for an empty or blank prompt). */
export function simhash(prompt) {
  return simhashNormalized(normalize(prompt));
}

/** The fingerprint usage events carry: 16 lowercase hex digits. Matches C#'s PromptFingerprint.Compute. */
export function promptFingerprint(prompt) {
  if (typeof prompt !== 'string') throw new TypeError('prompt must be a string');
  const [hi, lo] = fingerprintHalves(normalize(prompt));
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Hamming distance of two fingerprints (16 hex digits or bigints), 0-64. */
export function distance(a, b) {
  let x = BigInt.asUintN(64, (typeof a === 'string' ? BigInt('0x' + a) : a) ^ (typeof b === 'string' ? BigInt('0x' + b) : b));
  let count = 0;
  for (; x; x &= x - 1n) count++;
  return count;
}

/** The four bucket keys of a fingerprint (16 hex digits or a bigint), band 0 first: `b0:3fa2`. */
export function bucketKeys(fingerprint) {
  const hexDigits = typeof fingerprint === 'string' ? fingerprint.toLowerCase() : fingerprint.toString(16).padStart(16, '0');
  if (!/^[0-9a-f]{16}$/.test(hexDigits)) throw new RangeError('a fingerprint is 16 hex digits');
  return [0, 1, 2, 3].map((band) => `b${band}:${hexDigits.slice(4 * band, 4 * band + 4)}`);
}
