// Prompt fingerprints: the normaliser, the slot-aware 64-bit SimHash and its LSH bands.
// A port of Reputation.Core.Prompts (PromptNormalizer, SimHash, PromptBands) to the rules of
// docs/prompt-fingerprints.md; clients/vectors holds the values every port must reproduce.

import { DATA, WS_CLASS, charClass, flags, isBlank, lowerInvariant } from './text.js';
import { xxh64 } from './xxhash.js';

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

const SINGLE_WORD_SEED = 0x5eed0001d15c0001n;
const SHINGLE_SEED = 0x5eed0003d15c0003n;
const WHOLE_SEED = 0x5eed00ffd15c00ffn;
const STOP_WORD_WEIGHT = 0.25;
const MIN_SLOT_FACTOR_LOG2 = -6;
const QUARTER_POWERS = [1.0, 0.8408964152537145, 0.7071067811865476, 0.5946035575013605];
const M64 = 0xffffffffffffffffn;
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

function vote(votes, hash, weight) {
  let mixed = (hash + 0x9e3779b97f4a7c15n) & M64;
  mixed = ((mixed ^ (mixed >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  mixed = ((mixed ^ (mixed >> 27n)) * 0x94d049bb133111ebn) & M64;
  mixed ^= mixed >> 31n;
  weight *= 0.75 + (0.5 * Number(mixed >> 11n) / 9007199254740992);
  const lo = Number(hash & 0xffffffffn);
  const hi = Number(hash >> 32n);
  for (let bit = 0; bit < 32; bit++) {
    votes[bit] += ((lo >>> bit) & 1) ? weight : -weight;
    votes[bit + 32] += ((hi >>> bit) & 1) ? weight : -weight;
  }
}

/** The 64-bit fingerprint of text {@link normalize} produced; 0n when it has no words. */
export function simhashNormalized(normalized) {
  const words = tokenize(normalized);
  if (words.length === 0) return 0n;
  const hashes = words.map((w) => xxh64(encoder.encode(w), SINGLE_WORD_SEED));
  const scaffold = words.map((w) => PLACEHOLDERS.has(w) || SCAFFOLD.has(w));
  const slot = slotFactor(words.length, scaffold.filter(Boolean).length);
  const votes = new Float64Array(64);
  for (let i = 0; i < words.length; i++) {
    const weight = STOP.has(words[i]) ? STOP_WORD_WEIGHT : 1.0;
    vote(votes, hashes[i], scaffold[i] ? weight : weight * slot);
  }
  const triple = new Uint8Array(24);
  const view = new DataView(triple.buffer);
  for (let i = 0; i + 2 < words.length; i++) {
    view.setBigUint64(0, hashes[i], true);
    view.setBigUint64(8, hashes[i + 1], true);
    view.setBigUint64(16, hashes[i + 2], true);
    vote(votes, xxh64(triple, SHINGLE_SEED), scaffold[i] && scaffold[i + 1] && scaffold[i + 2] ? 1.0 : slot);
  }
  if (words.length < 3) vote(votes, xxh64(encoder.encode(words.join(' ')), WHOLE_SEED), 1.0);
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (votes[bit] > 0) lo |= 1 << bit;
    if (votes[bit + 32] > 0) hi |= 1 << bit;
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** The 64-bit fingerprint of a raw prompt (0n for an empty or blank prompt). */
export function simhash(prompt) {
  return simhashNormalized(normalize(prompt));
}

/** The fingerprint usage events carry: 16 lowercase hex digits. Matches C#'s PromptFingerprint.Compute. */
export function promptFingerprint(prompt) {
  if (typeof prompt !== 'string') throw new TypeError('prompt must be a string');
  return simhash(prompt).toString(16).padStart(16, '0');
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
