// URLs starting with http://, https:// or www. Query strings and paths can carry personal data
// and tokens, so the whole URL is one entity.
import { Detector, Findings } from './detector';

const URL_PATTERN = /(?<![\w@.\/-])(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const SCHEME_OR_WWW = /^(?:https?:\/\/|www\.)/i;
// Sentence punctuation that follows a URL in prose rather than belonging to it.
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', '*']);
const OPENER_OF: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const BRACKETS = '()[]{}';

function trimmedLength(url: string): number {
  // Brackets counted in one pass, then kept up to date while trimming: counting again for every
  // trimmed character made a run of closers cost quadratic time (an unauthenticated DoS through
  // a request path, which every log line carries).
  const count = new Map<string, number>([...BRACKETS].map((bracket) => [bracket, 0]));
  for (let i = 0; i < url.length; i++) {
    const char = url[i];
    const seen = count.get(char);
    if (seen !== undefined) count.set(char, seen + 1);
  }
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (TRAILING_PUNCTUATION.has(last)) {
      end--;
      continue;
    }
    const opener = OPENER_OF[last];
    // Keep a closing bracket that belongs to the URL, as in Wikipedia's `Foo_(bar)`.
    const closers = count.get(last) ?? 0;
    if (opener !== undefined && (count.get(opener) ?? 0) < closers) {
      count.set(last, closers - 1);
      end--;
      continue;
    }
    return end;
  }
}

export const urlDetector: Detector = {
  // "http://" needs a colon and "www." a dot.
  applies: (hints) => hints.hasColon || hints.hasDot,
  detect(text: string, findings: Findings): void {
    URL_PATTERN.lastIndex = 0;
    for (let match = URL_PATTERN.exec(text); match !== null; match = URL_PATTERN.exec(text)) {
      const length = trimmedLength(match[0]);
      const prefixLength = SCHEME_OR_WWW.exec(match[0])?.[0].length ?? 0;
      if (length > prefixLength) findings.entities.push({ type: 'URL', start: match.index, end: match.index + length });
    }
  },
};
