// URLs starting with http://, https:// or www. Query strings and paths can carry personal data
// and tokens, so the whole URL is one entity.
import { Detector, Findings } from './detector';

const URL_PATTERN = /(?<![\w@.\/-])(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const SCHEME_OR_WWW = /^(?:https?:\/\/|www\.)/i;
// Sentence punctuation that follows a URL in prose rather than belonging to it.
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', '*']);
const OPENER_OF: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function trimmedLength(url: string): number {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (TRAILING_PUNCTUATION.has(last)) {
      end--;
      continue;
    }
    const opener = OPENER_OF[last];
    // Keep a closing bracket that belongs to the URL, as in Wikipedia's `Foo_(bar)`.
    if (opener !== undefined && occurrences(url, opener, end) < occurrences(url, last, end)) {
      end--;
      continue;
    }
    return end;
  }
}

function occurrences(text: string, char: string, end: number): number {
  let total = 0;
  for (let i = text.indexOf(char); i !== -1 && i < end; i = text.indexOf(char, i + 1)) total++;
  return total;
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
