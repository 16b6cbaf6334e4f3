// IBANs: a known country code, that country's exact length and a valid mod-97 check. Written
// compact or in groups of four separated by single spaces.
import { Detector, Findings } from './detector';
import { isAsciiAlphanumeric } from './char-codes';
import { IBAN_LENGTHS } from './iban-lengths';
import { TextHints } from './text-hints';

// The candidate cannot fail once its first group has matched, so the engine never backtracks
// through the optional spaces; the exact length is decided below from the country. The groups
// are bounded by the longest IBAN (34 characters: 4 + 7 x 4 + 2): unbounded, a long run of
// "DE12 " shapes made every start scan to the end of the text (quadratic time).
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){1,7}(?: ?[A-Z0-9]{1,3})?/g;

/** ISO 13616 check: move the first four characters to the end, read letters as 10..35, mod 97. */
export function passesIbanChecksum(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    const value = code <= 57 ? code - 48 : code - 55;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

export interface IbanMatch {
  /** Length within the candidate, spaces included. */
  length: number;
  checksumValid: boolean;
}

/**
 * The IBAN-shaped text the candidate starts with (known country, that country's length, spaces
 * only between groups of four, not running on into more letters or digits), or null.
 */
export function matchIban(candidate: string): IbanMatch | null {
  const expected = IBAN_LENGTHS[candidate.slice(0, 2)];
  if (expected === undefined) return null;
  let compact = '';
  let i = 0;
  for (; i < candidate.length && compact.length < expected; i++) {
    if (candidate[i] === ' ') {
      if (compact.length % 4 !== 0) return null;
      continue;
    }
    compact += candidate[i];
  }
  if (compact.length < expected || isAsciiAlphanumeric(candidate.charCodeAt(i))) return null;
  return { length: i, checksumValid: passesIbanChecksum(compact) };
}

export const ibanDetector: Detector = {
  // Every IBAN starts with its country code and check digits, and its account part holds a run
  // of four digits, in one of its groups of four at least.
  applies: (hints) => hints.ibanSearchStart !== -1 && hints.hasFourDigitRun,
  detect(text: string, findings: Findings, hints: TextHints): void {
    IBAN_CANDIDATE.lastIndex = hints.ibanSearchStart;
    for (let match = IBAN_CANDIDATE.exec(text); match !== null; match = IBAN_CANDIDATE.exec(text)) {
      const iban = matchIban(match[0]);
      // The bounded candidate may stop inside a longer run: an IBAN must not run on into it.
      if (iban === null || isAsciiAlphanumeric(text.charCodeAt(match.index + iban.length))) {
        IBAN_CANDIDATE.lastIndex = match.index + 1;
        continue;
      }
      const span = { start: match.index, end: match.index + iban.length };
      if (iban.checksumValid) findings.entities.push({ type: 'IBAN', ...span });
      else findings.lookAlikes.push(span);
      // The candidate may have run on into a second IBAN written right after this one.
      IBAN_CANDIDATE.lastIndex = span.end;
    }
  },
};
