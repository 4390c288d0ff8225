// Character data and UTF-16 helpers shared by the fingerprint and the elicitation score.
//
// The specification (docs/prompt-fingerprints.md) works on UTF-16 code units, as JavaScript strings
// do: a character outside the Basic Multilingual Plane (an emoji) is two surrogate units, which are
// neither letters, digits, marks nor spaces. Regular expressions here are compiled without the `u`
// flag so that they, too, see code units. The character classes come from fingerprint-data.json,
// which the C# implementation writes, so this port does not depend on Node's Unicode version.

import { readFileSync } from 'node:fs';

/** The vocabulary, rules and character data, as the C# reference implementation wrote them. */
export const DATA = JSON.parse(readFileSync(new URL('./fingerprint-data.json', import.meta.url), 'utf8'));

const hex = (c) => '\\u' + c.toString(16).padStart(4, '0');

/** The contents of a character class (without brackets) for a data class. */
export function charClass(name) {
  return DATA[name].map(([a, b]) => (a === b ? hex(a) : hex(a) + '-' + hex(b))).join('');
}

/** One byte per UTF-16 code unit: 1 where the unit is in the data class. */
export function flags(name) {
  const table = new Uint8Array(0x10000);
  for (const [a, b] of DATA[name]) table.fill(1, a, b + 1);
  return table;
}

export const WHITESPACE = flags('whiteSpace');
export const WS_CLASS = charClass('whiteSpace');

const LOWER_BMP = new Map(DATA.lower);
const LOWER_ASTRAL = new Map(DATA.lowerAstral);

/** Simple lower-case mapping per code point, as .NET's ToLowerInvariant (U+0130 stays). */
export function lowerInvariant(text) {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let low;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = LOWER_ASTRAL.get(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
        if (cp !== undefined) {
          out += text.slice(last, i) + String.fromCodePoint(cp);
          last = i + 2;
        }
        i++;
        continue;
      }
    }
    if ((low = LOWER_BMP.get(c)) !== undefined) {
      out += text.slice(last, i) + String.fromCharCode(low);
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** True when every code unit is white space (or there is none), as String.IsNullOrWhiteSpace. */
export function isBlank(text) {
  for (let i = 0; i < text.length; i++) if (!WHITESPACE[text.charCodeAt(i)]) return false;
  return true;
}

