// URLs starting with http://, https:// or www. Query strings and paths can carry personal data
// and tokens, so the whole URL is one entity.
import { Detector, Findings } from './detector';

const URL_PATTERN = /(?<![\w@.\/-])(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;

/** Sentence punctuation that follows a URL in prose rather than belonging to it: . , ; : ! ? * */
function isTrailingPunctuation(code: number): boolean {
  return code === 46 || code === 44 || code === 59 || code === 58 || code === 33 || code === 63 || code === 42;
}

// The closers of the three bracket pairs, by index: ( ) is 0, [ ] is 1, { } is 2.
const CLOSERS = [41, 93, 125];

/** How often each opener and closer occurs in text[start, end), counted in one pass. */
function countBrackets(text: string, start: number, end: number): { openers: number[]; closers: number[] } {
  const openers = [0, 0, 0];
  const closers = [0, 0, 0];
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 40) openers[0]++;
    else if (code === 41) closers[0]++;
    else if (code === 91) openers[1]++;
    else if (code === 93) closers[1]++;
    else if (code === 123) openers[2]++;
    else if (code === 125) closers[2]++;
  }
  return { openers, closers };
}

/** End of the URL text[start, end) once trailing punctuation and unbalanced closers are cut. */
function trimmedEnd(text: string, start: number, end: number): number {
  // Brackets are counted once, only when a closer is at the end (most URLs end otherwise), and
  // kept up to date while trimming: counting again for every trimmed character made a run of
  // closers cost quadratic time (an unauthenticated DoS through a request path, which every log
  // line carries).
  let count: { openers: number[]; closers: number[] } | undefined;
  while (end > start) {
    const last = text.charCodeAt(end - 1);
    if (isTrailingPunctuation(last)) {
      end--;
      continue;
    }
    const pair = CLOSERS.indexOf(last);
    if (pair === -1) return end;
    count ??= countBrackets(text, start, end);
    // Keep a closing bracket that belongs to the URL, as in Wikipedia's `Foo_(bar)`.
    if (count.openers[pair] >= count.closers[pair]) return end;
    count.closers[pair]--;
    end--;
  }
  return end;
}

/** "http://" (7), "https://" (8) or "www." (4), whichever the URL starts with (the pattern found one). */
function prefixLength(text: string, start: number): number {
  if ((text.charCodeAt(start) | 32) === 119) return 4; // w
  return (text.charCodeAt(start + 4) | 32) === 115 ? 8 : 7; // s of https
}

export const urlDetector: Detector = {
  applies: (hints) => hints.mightHoldUrl,
  detect(text: string, findings: Findings): void {
    URL_PATTERN.lastIndex = 0;
    for (let match = URL_PATTERN.exec(text); match !== null; match = URL_PATTERN.exec(text)) {
      const start = match.index;
      const end = trimmedEnd(text, start, start + match[0].length);
      if (end - start > prefixLength(text, start)) findings.entities.push({ type: 'URL', start, end });
    }
  },
};
