// How strongly a prompt asks for step-by-step, hidden or reconstructed reasoning.
// A port of Reputation.Client.ReasoningElicitation: the rule table (name, weight, .NET pattern) comes
// from fingerprint-data.json, which the C# implementation writes. Each .NET pattern is translated
// once: the prepared text is folded to the reference's case-insensitive equivalents of ASCII letters,
// `\b` becomes the reference's word boundary, `\s` a space (preparing leaves no other white space)
// and the case-sensitive alternative `(?-i:...)` is matched apart on the unfolded text.

import { DATA, WHITESPACE, charClass, flags } from './text.js';

const FORMAT = flags('format');
const WORD = charClass('boundaryWord');
const BOUNDARY = `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
const FOLD = new Map(DATA.ignoreCaseAscii.map(([c, a]) => [c, String.fromCharCode(a)]));

function translate(pattern) {
  let out = '';
  for (let i = 0; i < pattern.length;) {
    if (pattern.startsWith('[\\s\\S]', i)) {
      out += '[\\s\\S]';
      i += 6;
    } else if (pattern[i] === '\\' && i + 1 < pattern.length) {
      const pair = pattern.slice(i, i + 2);
      out += pair === '\\b' ? BOUNDARY : pair === '\\s' ? ' ' : pair;
      i += 2;
    } else {
      out += pattern[i++];
    }
  }
  return new RegExp(out);
}

/** The rule table: name, weight and the compiled patterns, in the order matches are reported. */
export const RULES = DATA.elicitationRules.map(({ name, weight, pattern }) => {
  const split = pattern.indexOf('|(?-i:');
  return split < 0
    ? { name, weight, folded: translate(pattern), exact: null }
    : { name, weight, folded: translate(pattern.slice(0, split)), exact: translate(pattern.slice(split + 6, -1)) };
});

function prepare(prompt) {
  let out = '';
  let space = false;
  for (let i = 0; i < prompt.length; i++) {
    const c = prompt.charCodeAt(i);
    if (WHITESPACE[c]) {
      space = true;
      continue;
    }
    if (FORMAT[c]) continue;
    if (space && out.length > 0) out += ' ';
    space = false;
    out += c === 0x2018 || c === 0x2019 ? "'" : prompt[i];
  }
  return out;
}

function fold(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : (FOLD.get(c) ?? text[i]);
  }
  return out;
}

function matched(prompt) {
  if (typeof prompt !== 'string') throw new TypeError('prompt must be a string');
  const text = prepare(prompt);
  const folded = fold(text);
  return RULES.filter((r) => r.folded.test(folded) || (r.exact !== null && r.exact.test(text)));
}

/** The noisy-OR of the matched rules' weights, 1 - Π(1 - w), in [0, 1]. Matches C#'s ReasoningElicitation.Score. */
export function reasoningElicitation(prompt) {
  let miss = 1.0;
  for (const rule of matched(prompt)) miss *= 1 - rule.weight;
  return 1 - miss;
}

/** The names of the rules the prompt matches, in table order. */
export function elicitationMatches(prompt) {
  return matched(prompt).map((r) => r.name);
}
