// URLs starting with http://, https:// or www. Query strings and paths can carry personal data
// and tokens, so the whole URL is one entity.
import { Detector, Findings } from './detector';

const URL_PATTERN = /(?<![\w@.\/-])(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const SCHEME_OR_WWW = /^(?:https?:\/\/|www\.)/i;
// Sentence punctuation that follows a URL in prose rather than belonging to it.
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', '*']);
const OPENER_OF: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const BRACKETS = '()[]{}';

/** How often each bracket occurs in the URL, counted in one pass. */
function countBrackets(url: string): Map<string, number> {
  const count = new Map<string, number>([...BRACKETS].map((bracket) => [bracket, 0]));
  for (let i = 0; i < url.length; i++) {
    const seen = count.get(url[i]);
    if (seen !== undefined) count.set(url[i], seen + 1);
  }
  return count;
}

function trimmedLength(url: string): number {
  // Brackets are counted once, only when a closer is at the end (most URLs end otherwise), and
  // kept up to date while trimming: counting again for every trimmed character made a run of
  // closers cost quadratic time (an unauthenticated DoS through a request path, which every log
  // line carries).
  let count: Map<string, number> | undefined;
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (TRAILING_PUNCTUATION.has(last)) {
      end--;
      continue;
    }
    const opener = OPENER_OF[last];
    if (opener === undefined) return end;
    count ??= countBrackets(url);
    // Keep a closing bracket that belongs to the URL, as in Wikipedia's `Foo_(bar)`.
    const closers = count.get(last) ?? 0;
    if ((count.get(opener) ?? 0) >= closers) return end;
    count.set(last, closers - 1);
    end--;
  }
}

export const urlDetector: Detector = {
  applies: (hints) => hints.mightHoldUrl,
  detect(text: string, findings: Findings): void {
    URL_PATTERN.lastIndex = 0;
    for (let match = URL_PATTERN.exec(text); match !== null; match = URL_PATTERN.exec(text)) {
      const length = trimmedLength(match[0]);
      const prefixLength = SCHEME_OR_WWW.exec(match[0])?.[0].length ?? 0;
      if (length > prefixLength) findings.entities.push({ type: 'URL', start: match.index, end: match.index + length });
    }
  },
};
