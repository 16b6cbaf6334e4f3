// Phone numbers in four written shapes: international (+44 20 7946 0958, +1-202-555-0143),
// North American ((202) 555-0143, 202.555.0143), national with a trunk 0 (020 7946 0958, German
// 030/12345678, French 01.23.45.67.89) and national without one, as Italy's mobiles, Spain and
// Poland write them (333 123 4567, 612 345 678, 12 345 67 89). Every shape needs separators or a
// '+', so bare numbers, years, dates, prices, versions and clock times do not qualify.
import { Metadata } from 'libphonenumber-js/core';
import phoneMetadata from 'libphonenumber-js/max/metadata';
import { Detector, Findings } from './detector';
import { TextHints } from './text-hints';
import { isAsciiDigit } from './char-codes';

// Each shape's own lookbehind, written once for all: no shape starts after a word character or a
// '+', so the engine tests that once per position instead of once per shape. The shapes keep their
// order, so the same text always gives the same match as with a lookbehind per shape.
const PHONE_CANDIDATE = new RegExp(
  String.raw`(?<![\w+])(?:` +
    [
      // Every repetition starts with a separator or '(', so a digit run is never split two ways.
      // Repetitions are bounded by the most digits a number can hold (15, E.164), and a digit run
      // never stops inside a longer one: unbounded, a long run of "+1 " made every '+' scan to the
      // end of the text (quadratic time).
      String.raw`(\+\d{1,15}(?!\d)|\(\+\d{1,3}\))(?:[ .-]\d{1,15}(?!\d)|[ .-]?\(\d{1,4}\)[ .-]?\d{1,15}(?!\d)){0,14}`,
      String.raw`(?<![.-])(?:` +
        [
          // North American.
          String.raw`(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w]|[.-]\d)`,
          // National with a trunk 0. A slash only right after the area code, as in Germany and
          // Austria (030/12345678).
          String.raw`(?:0(?!00)\d{1,4}(?:[ .-]| ?\/ ?)|\(0\d{1,4}\)[ .-]?)\d{2,8}(?:[ .-]\d{2,8}){0,8}`,
        ].join('|') +
        ')',
      // No trunk prefix, in the groupings these countries use: 3-3-3 and 3-2-2-2 (Spain), 3-3-3 and
      // 2-3-2-2 (Poland), 3-3-4 and 3-7 (Italy's mobiles). Checked against the numbering plans below,
      // since such groups also write other numbers.
      String.raw`(?<![.\/-])(\d{3}[ .-]\d{3}[ .-]\d{3,4}|\d{3}[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}|\d{2}[ .-]\d{3}[ .-]\d{2}[ .-]\d{2}|3\d{2}[ .-]\d{6,7})(?![\w]|[.\/-]\d)`,
    ].join('|') +
    ')',
  'g',
);

interface DigitRange {
  min: number;
  max: number;
}

// E.164 allows at most 15 digits; fewer than 8 after a country code is no full number. North
// American numbers are always 1 + 10 digits.
const INTERNATIONAL_DIGITS: DigitRange = { min: 8, max: 15 };
const NORTH_AMERICAN_INTERNATIONAL_DIGITS: DigitRange = { min: 11, max: 11 };
// National numbers with a trunk 0 run from 9 (some German) to 12 digits; with the 00
// international prefix instead, the E.164 range plus those two zeros.
const NATIONAL_DIGITS: DigitRange = { min: 9, max: 12 };
const DOUBLE_ZERO_PREFIXED_DIGITS: DigitRange = { min: 10, max: 17 };

const OPEN_PARENTHESIS = 40;
const CLOSE_PARENTHESIS = 41;
const PLUS = 43;
const ZERO = 48;
const ONE = 49;

/**
 * Ends (absolute, ascending) of the digit groups of text[start, end) after which the number holds
 * a plausible count of digits, written to `ends`; returns how many. The "(0)" trunk marker of
 * `+44 (0)20` is not counted. Read in place into a reused array: this runs for every candidate.
 */
function plausibleEndsIn(text: string, start: number, end: number, range: DigitRange, ends: number[]): number {
  let count = 0;
  let digits = 0;
  for (let i = start; i < end && digits <= range.max; i++) {
    const code = text.charCodeAt(i);
    if (code === OPEN_PARENTHESIS && text.charCodeAt(i + 1) === ZERO && text.charCodeAt(i + 2) === CLOSE_PARENTHESIS && i + 2 < end) {
      i += 2;
      continue;
    }
    if (!isAsciiDigit(code)) continue;
    digits++;
    const groupEnds = i + 1 >= end || !isAsciiDigit(text.charCodeAt(i + 1));
    if (groupEnds && digits >= range.min && digits <= range.max) ends[count++] = i + 1 < end && text.charCodeAt(i + 1) === CLOSE_PARENTHESIS ? i + 2 : i + 1;
  }
  return count;
}

/** Ends (within the candidate, ascending) of the digit groups after which the number holds a plausible count of digits. */
export function plausiblePhoneEnds(candidate: string, range: DigitRange): number[] {
  const ends: number[] = [];
  plausibleEndsIn(candidate, 0, candidate.length, range, ends);
  return ends;
}

/**
 * Fixed-line and mobile numbers of the EU's largest countries that write national numbers without
 * a trunk 0: the patterns of Google's libphonenumber metadata (what Presidio's phone recogniser
 * relies on), compiled once and anchored. Only the metadata's patterns are used, not the library's
 * parser: a pattern test is a fraction of a parse, which keeps a text of many digit groups cheap.
 */
const PLANS_WITHOUT_TRUNK_PREFIX: readonly RegExp[] = ['IT', 'ES', 'PL'].flatMap((country) => {
  const metadata = new Metadata(phoneMetadata);
  metadata.selectNumberingPlan(country as Parameters<Metadata['selectNumberingPlan']>[0]);
  // `type(...)` is on the numbering plan at run time but not in the library's types.
  const plan = metadata.numberingPlan as unknown as { type(name: string): { pattern(): string } | undefined };
  return ['FIXED_LINE', 'MOBILE'].map((type) => new RegExp(`^(?:${plan.type(type)?.pattern() ?? '(?!)'})$`));
});

export function isNationalNumberWithoutTrunkPrefix(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  return (digits.length === 9 || digits.length === 10) && PLANS_WITHOUT_TRUNK_PREFIX.some((plan) => plan.test(digits));
}

/** The digit range of the candidate text[start, ...), or null for a North American number (the pattern fixes its shape). */
function digitRangeAt(text: string, start: number, isInternational: boolean): DigitRange | null {
  const first = text.charCodeAt(start);
  if (isInternational) {
    // "+1" or "(+1" and no more digits: a North American number.
    const plus = first === OPEN_PARENTHESIS ? start + 1 : start;
    const countryCodeIsOne = text.charCodeAt(plus) === PLUS && text.charCodeAt(plus + 1) === ONE && !isAsciiDigit(text.charCodeAt(plus + 2));
    return countryCodeIsOne ? NORTH_AMERICAN_INTERNATIONAL_DIGITS : INTERNATIONAL_DIGITS;
  }
  if (first === ZERO && text.charCodeAt(start + 1) === ZERO) return DOUBLE_ZERO_PREFIXED_DIGITS;
  if (first === ZERO || (first === OPEN_PARENTHESIS && text.charCodeAt(start + 1) === ZERO)) return NATIONAL_DIGITS;
  return null;
}

// The plausible ends of the current candidate, reused (detection is synchronous).
const ends: number[] = [];

export const phoneDetector: Detector = {
  // Every shape holds at least as many digits as the smallest range above (the North American
  // and no-trunk shapes 10 and 9), starting at a digit group that fits one of the shapes.
  applies: (hints) => hints.phoneSearchStart !== -1,
  detect(text: string, findings: Findings, hints: TextHints): void {
    // A number starts at most two characters ("(+") before its first digit group; a candidate
    // rejected before the first group sequence that may hold a number would not move the search.
    PHONE_CANDIDATE.lastIndex = Math.max(0, hints.phoneSearchStart - 2);
    for (let match = PHONE_CANDIDATE.exec(text); match !== null; match = PHONE_CANDIDATE.exec(text)) {
      const start = match.index;
      const candidateEnd = start + match[0].length;
      if (match[2] !== undefined) {
        if (isNationalNumberWithoutTrunkPrefix(match[0])) findings.entities.push({ type: 'PHONE', start, end: candidateEnd });
        else PHONE_CANDIDATE.lastIndex = start + 1;
        continue;
      }
      const range = digitRangeAt(text, start, match[1] !== undefined);
      const count = range === null ? 1 : plausibleEndsIn(text, start, candidateEnd, range, ends);
      if (count === 0) {
        PHONE_CANDIDATE.lastIndex = start + 1;
        continue;
      }
      const end = range === null ? candidateEnd : ends[count - 1];
      findings.entities.push(count === 1 ? { type: 'PHONE', start, end } : { type: 'PHONE', start, end, shorterEnds: ends.slice(0, count - 1) });
      // A run of groups can hold two numbers: look for the next one right after this one.
      PHONE_CANDIDATE.lastIndex = end;
    }
  },
};
