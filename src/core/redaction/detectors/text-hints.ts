// Cheap facts about a text that tell most detectors they cannot match, so they skip it without
// running their pattern: a log line without '@' has no email, one with fewer than eight digits no
// phone number, one without three digit-dot-digit joints no IPv4 address. One pass over the text
// collects all of them, each a necessary condition of what a detector can find (a detector whose
// condition is false would find nothing: `text-hints.spec.ts` checks it on planted values), so a
// text pays for a detector's pattern only when it holds the characters that pattern needs.
export interface TextHints {
  hasAt: boolean;
  /** "://" or "www." (any case): every URL the URL detector finds starts with one. */
  mightHoldUrl: boolean;
  /** A superset of the literals and `[_-]\w{8}` every token shape needs (see the secret detector). */
  mightHoldTokenShape: boolean;
  /** A ':' or '=' right after (quote, blanks) a letter that ends a credential key. */
  mightHoldCredentialValue: boolean;
  hasFourDigitRun: boolean;
  /**
   * Where the first sequence of digit groups that may hold a phone number starts, or -1: groups
   * that at most three other characters separate (`+44 (0)20`, `030 / 1234`), holding a group that
   * can start one of the phone detector's shapes (see `mayStartPhoneShape`) with at least
   * FEWEST_PHONE_DIGITS digits from there on. Dates, SSNs, IPv4 addresses and cards printed in
   * fours hold none, and they are most of the digit groups of a text. Digits are ASCII: `\d` of a
   * non-Unicode pattern.
   */
  phoneSearchStart: number;
  /**
   * Where the first card number (or Luhn look-alike) may start, or -1: a group that starts with 2-6
   * after none of the card pattern's lookbehind characters (a word character or . , + / -),
   * followed by groups separated by one space or hyphen, with FEWEST_CARD_DIGITS digits or more
   * from it on. Digits after letters (an IBAN's) or after a hyphen (a token's) start none.
   */
  cardSearchStart: number;
  /** Where the first groups of 3, 2 and at least 4 digits start, each after one space, dot or hyphen (an SSN's shape), or -1. */
  ssnSearchStart: number;
  /** Where the first two capital letters followed by two digits start (as every IBAN does), or -1. */
  ibanSearchStart: number;
  /** How many '.' sit between two digits: an IPv4 address holds three. */
  digitDotDigitCount: number;
  /** "::" or at least six ':': no IPv6 address the IPv6 detector accepts has less. */
  mightHoldIpv6: boolean;
}

/** Hints that rule nothing out and start every search at 0, to run a detector on any text (tests). */
export const NO_HINTS: Readonly<TextHints> = {
  hasAt: true,
  mightHoldUrl: true,
  mightHoldTokenShape: true,
  mightHoldCredentialValue: true,
  hasFourDigitRun: true,
  phoneSearchStart: 0,
  cardSearchStart: 0,
  ssnSearchStart: 0,
  ibanSearchStart: 0,
  digitDotDigitCount: Infinity,
  mightHoldIpv6: true,
};

/** The fewest digits of any phone shape the phone detector accepts (its smallest digit range). */
const FEWEST_PHONE_DIGITS = 8;
/** The fewest digits of a card number, and of a Luhn look-alike. */
const FEWEST_CARD_DIGITS = 13;

// What the pass does at each character; 0 (nothing) for every other code, so the letters and
// blanks that make most of a text cost one table read.
const DIGIT = 1;
const UNDERSCORE_OR_HYPHEN = 2;
const DOT = 3;
const COLON = 4;
const EQUALS = 5;
const AT = 6;
const CAPITAL_A = 7;
const CAPITAL_J = 8;
const LETTER_B = 9;

const ACTION_OF = new Uint8Array(128);
for (let code = 48; code <= 57; code++) ACTION_OF[code] = DIGIT;
ACTION_OF[95] = UNDERSCORE_OR_HYPHEN;
ACTION_OF[45] = UNDERSCORE_OR_HYPHEN;
ACTION_OF[46] = DOT;
ACTION_OF[58] = COLON;
ACTION_OF[61] = EQUALS;
ACTION_OF[64] = AT;
ACTION_OF[65] = CAPITAL_A;
ACTION_OF[74] = CAPITAL_J;
ACTION_OF[66] = LETTER_B;
ACTION_OF[98] = LETTER_B;

const SLASH = 47;
const PLUS = 43;
const ZERO = 48;
const ONE = 49;
const THREE = 51;
const SPACE = 32;
const TAB = 9;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
/** `[_-]\w{8}`: the separator-and-word-run every token shape but a few literals holds. */
const WORD_RUN_AFTER_SEPARATOR = 8;

/**
 * Whether a digit group (its length, its first digit's code, and whether the character before it
 * lets a shape start there) starts one of the phone detector's shapes without a '+', given the
 * lengths of the next two groups of its sequence (0 when not there yet). Each shape's own groups:
 * trunk 0 (`0\d{1,4}` and a group), North American (3-3-4, or 1 then 3-3-4), and the no-trunk
 * groupings 3-3-3, 3-3-4, 3-2-2-2, 2-3-2-2 and 3-6/7 (3 first). Separators are not checked here;
 * the sequence already keeps them short. A necessary condition, so the detector skips no number.
 */
function mayStartPhoneShape(length: number, firstDigit: number, mayStartAfter: boolean, next: number, afterNext: number): boolean {
  if (!mayStartAfter || next === 0) return false;
  if (firstDigit === ZERO) return length >= 2 && length <= 5;
  if (length === 1) return firstDigit === ONE && next === 3;
  if (length === 2) return next === 3 && afterNext === 2;
  if (length !== 3) return false;
  if (next === 3) return afterNext === 3 || afterNext === 4;
  if (next === 2) return afterNext === 2;
  return firstDigit === THREE && (next === 6 || next === 7);
}

/**
 * No shape but the international one (which a '+' starts) begins right after a word character,
 * '+', '.' or '-': the patterns' lookbehinds. Digits never come before a group.
 */
function mayStartPhoneAfter(code: number): boolean {
  return !(((code | 32) >= 97 && (code | 32) <= 122) || code === 95 || code === PLUS || code === 46 || code === 45);
}

/** The card pattern's start: `(?<![\w.,+\/-])[2-6]` (digits never come before a group). */
function mayStartCard(firstDigit: number, before: number): boolean {
  return firstDigit >= 50 && firstDigit <= 54 && !(((before | 32) >= 97 && (before | 32) <= 122) || before === 95 || before === 46 || before === 44 || before === PLUS || before === SLASH || before === 45);
}

/**
 * The code at `index`, 0 outside the text. Reading past either end of a string makes V8 drop the
 * pass's optimised code for a slower one that handles NaN: every read here stays inside.
 */
function codeAt(text: string, index: number): number {
  return index >= 0 && index < text.length ? text.charCodeAt(index) : 0;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isDigitAt(text: string, index: number): boolean {
  return isDigitCode(codeAt(text, index));
}

function isSpaceOrHyphen(code: number): boolean {
  return code === SPACE || code === 45;
}

function isSpaceDotOrHyphen(code: number): boolean {
  return code === SPACE || code === 46 || code === 45;
}

function isLowerCode(code: number): boolean {
  return code >= 97 && code <= 122;
}

function isUpperAt(text: string, index: number): boolean {
  const code = codeAt(text, index);
  return code >= 65 && code <= 90;
}

function isWordCharAt(text: string, index: number): boolean {
  const code = codeAt(text, index);
  return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122) || code === 95;
}

/** Lower-cased code of an ASCII letter (other codes come out changed but never as a letter). */
function lowerAt(text: string, index: number): number {
  return codeAt(text, index) | 32;
}

/**
 * Whether a ':' or '=' at `index` may follow a credential key (`password`, `api_key`, `token`,
 * ...): skipping blanks and one quote back, the key's last letter is one of d, e, t, n, y. The
 * back step only crosses blanks, which no other ':' or '=' crosses again: linear over the text.
 */
function mightFollowCredentialKey(text: string, index: number): boolean {
  let before = index - 1;
  while (before >= 0 && (text.charCodeAt(before) === SPACE || text.charCodeAt(before) === TAB)) before--;
  const quote = codeAt(text, before);
  if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) before--;
  const last = lowerAt(text, before);
  return last === 100 || last === 101 || last === 116 || last === 110 || last === 121; // d e t n y
}

/**
 * End of the run of word characters from `from` when it is shorter than `[_-]\w{8}` needs, or -1
 * when it is long enough. Every separator inside a short run ends at the same place, so the pass
 * skips the check for them: at most eight reads per character over the whole text.
 */
function shortWordRunEnd(text: string, from: number): number {
  for (let i = from; i < from + WORD_RUN_AFTER_SEPARATOR; i++) if (!isWordCharAt(text, i)) return i;
  return -1;
}

export function hintsFor(text: string): TextHints {
  let hasAt = false;
  let mightHoldUrl = false;
  let mightHoldTokenShape = false;
  let mightHoldCredentialValue = false;
  let hasFourDigitRun = false;
  let digitDotDigitCount = 0;
  let colonCount = 0;
  let hasDoubleColon = false;
  let shortWordRunUntil = -1;
  let hyphenAfterLowercase = false;
  let phoneSearchStart = -1;
  let cardSearchStart = -1;
  let ssnSearchStart = -1;
  let ibanSearchStart = -1;
  // The last digit group, and the sequences of groups it belongs to: phone-like (where it
  // started and its digits so far) and card-like.
  let lastGroupEnd = -10;
  let lastGroupStart = -1;
  let phoneLikeStart = -1;
  let phoneLikeDigits = 0;
  // The two groups of the phone-like sequence before the current one (length 0: none), each with
  // its first digit, whether a shape may start at it, and the sequence's digits before it; and
  // the digits before the earliest group found to start a phone shape (-1: none yet).
  let oneBackLength = 0;
  let oneBackFirst = 0;
  let oneBackMayStart = false;
  let oneBackDigitsBefore = 0;
  let twoBackLength = 0;
  let twoBackFirst = 0;
  let twoBackMayStart = false;
  let twoBackDigitsBefore = 0;
  let phoneShapeDigitsBefore = -1;
  // Digits of the card-like sequence so far, and where its first group that may start a card is
  // and the digits before it (-1: none yet).
  let cardLikeDigits = 0;
  let cardStart = -1;
  let cardStartDigitsBefore = -1;
  // Starts of the two groups before the current one while each followed the one before it after
  // a single space, dot or hyphen (-1 when not), and the length of the one just before: the SSN
  // shape.
  let previousGroupStart = -1;
  let groupBeforeStart = -1;
  let lastGroupLength = 0;
  let previousGroupLength = 0;

  const length = text.length;
  for (let i = 0; ; i++) {
    // Letters and blanks, most of any text, go by in this tight loop.
    let code = 0;
    while (i < length && ((code = text.charCodeAt(i)) >= 128 || ACTION_OF[code] === 0)) i++;
    if (i === length) break;
    switch (ACTION_OF[code]) {
      case DIGIT: {
        // A whole group at once; then whether it continues the sequences of the group before.
        const start = i;
        while (i + 1 < length && isDigitCode(text.charCodeAt(i + 1))) i++;
        const groupLength = i + 1 - start;
        const gap = start - lastGroupEnd;
        const separator = codeAt(text, start - 1);
        if (gap > 3) {
          phoneLikeStart = start;
          phoneLikeDigits = 0;
          oneBackLength = twoBackLength = 0;
          phoneShapeDigitsBefore = -1;
        }
        if (phoneSearchStart === -1) {
          // The earliest group that starts a phone shape: two back (shapes of three groups), one
          // back (two groups), or this one after a '+'. Digits before a group grow along the
          // sequence, so the fewest mark the earliest start.
          const firstDigit = text.charCodeAt(start);
          let shapeDigitsBefore = -1;
          if (mayStartPhoneShape(twoBackLength, twoBackFirst, twoBackMayStart, oneBackLength, groupLength)) shapeDigitsBefore = twoBackDigitsBefore;
          else if (mayStartPhoneShape(oneBackLength, oneBackFirst, oneBackMayStart, groupLength, 0)) shapeDigitsBefore = oneBackDigitsBefore;
          else if (separator === PLUS) shapeDigitsBefore = phoneLikeDigits;
          if (shapeDigitsBefore !== -1 && (phoneShapeDigitsBefore === -1 || shapeDigitsBefore < phoneShapeDigitsBefore)) phoneShapeDigitsBefore = shapeDigitsBefore;
          twoBackLength = oneBackLength;
          twoBackFirst = oneBackFirst;
          twoBackMayStart = oneBackMayStart;
          twoBackDigitsBefore = oneBackDigitsBefore;
          oneBackLength = groupLength;
          oneBackFirst = firstDigit;
          oneBackMayStart = mayStartPhoneAfter(separator);
          oneBackDigitsBefore = phoneLikeDigits;
          if (phoneShapeDigitsBefore !== -1 && phoneLikeDigits + groupLength - phoneShapeDigitsBefore >= FEWEST_PHONE_DIGITS) phoneSearchStart = phoneLikeStart;
        }
        phoneLikeDigits += groupLength;
        if (cardSearchStart === -1) {
          if (gap !== 1 || !isSpaceOrHyphen(separator)) {
            cardLikeDigits = 0;
            cardStartDigitsBefore = -1;
          }
          if (cardStartDigitsBefore === -1 && mayStartCard(text.charCodeAt(start), separator)) {
            cardStart = start;
            cardStartDigitsBefore = cardLikeDigits;
          }
          cardLikeDigits += groupLength;
          if (cardStartDigitsBefore !== -1 && cardLikeDigits - cardStartDigitsBefore >= FEWEST_CARD_DIGITS) cardSearchStart = cardStart;
        }
        if (gap === 1 && isSpaceDotOrHyphen(separator)) {
          groupBeforeStart = previousGroupStart;
          previousGroupStart = lastGroupStart;
          previousGroupLength = lastGroupLength;
        } else {
          groupBeforeStart = previousGroupStart = -1;
        }
        if (groupLength >= 4) {
          hasFourDigitRun = true;
          const ssnShape = groupBeforeStart !== -1 && previousGroupLength === 2 && previousGroupStart - groupBeforeStart === 4;
          if (ssnShape && ssnSearchStart === -1) ssnSearchStart = groupBeforeStart;
        }
        if (ibanSearchStart === -1 && groupLength >= 2 && isUpperAt(text, start - 1) && isUpperAt(text, start - 2)) ibanSearchStart = start - 2;
        lastGroupStart = start;
        lastGroupLength = groupLength;
        lastGroupEnd = i + 1;
        break;
      }
      case UNDERSCORE_OR_HYPHEN:
        if (code === 45 && isLowerCode(codeAt(text, i - 1))) hyphenAfterLowercase = true;
        if (mightHoldTokenShape || i < shortWordRunUntil) break;
        shortWordRunUntil = shortWordRunEnd(text, i + 1);
        // The run check also settles `-----BEGIN`, whose hyphens are followed by no word.
        mightHoldTokenShape = shortWordRunUntil === -1 || (code === 45 && text.startsWith('----BEGIN', i + 1));
        break;
      case DOT:
        if (i > 0 && isDigitAt(text, i - 1) && isDigitAt(text, i + 1)) digitDotDigitCount++;
        if (i >= 3 && lowerAt(text, i - 1) === 119 && lowerAt(text, i - 2) === 119 && lowerAt(text, i - 3) === 119) mightHoldUrl = true;
        break;
      case COLON:
        colonCount++;
        if (codeAt(text, i + 1) === 58) hasDoubleColon = true;
        else if (codeAt(text, i + 1) === SLASH && codeAt(text, i + 2) === SLASH) mightHoldUrl = true;
        if (!mightHoldCredentialValue) mightHoldCredentialValue = mightFollowCredentialKey(text, i);
        break;
      case EQUALS:
        if (!mightHoldCredentialValue) mightHoldCredentialValue = mightFollowCredentialKey(text, i);
        break;
      case AT:
        hasAt = true;
        break;
      case CAPITAL_A: // AKIA, ASIA, AIza, and the A of EARER
        if (!mightHoldTokenShape) {
          const next = codeAt(text, i + 1);
          mightHoldTokenShape = next === 75 || next === 83 || next === 73 || (codeAt(text, i - 1) === 69 && text.startsWith('RER', i + 1));
        }
        break;
      case CAPITAL_J: // eyJ
        if (!mightHoldTokenShape) mightHoldTokenShape = codeAt(text, i - 1) === 121 && codeAt(text, i - 2) === 101;
        break;
      case LETTER_B: // Bearer, bearer, BEARER
        if (!mightHoldTokenShape) mightHoldTokenShape = text.startsWith('earer', i + 1) || text.startsWith('EARER', i + 1);
        break;
    }
  }
  // The token shapes' own gate (MIGHT_HOLD_TOKEN_SHAPE) also passes on "earer" anywhere, which
  // lets `sk-`, `glpat-` and `xoxb-` keys made of hyphens through: kept exactly, at the cost of one
  // native search when such a prefix may be there.
  if (!mightHoldTokenShape && hyphenAfterLowercase) mightHoldTokenShape = text.indexOf('earer') !== -1;
  return {
    hasAt,
    mightHoldUrl,
    mightHoldTokenShape,
    mightHoldCredentialValue,
    hasFourDigitRun,
    phoneSearchStart,
    cardSearchStart,
    ssnSearchStart,
    ibanSearchStart,
    digitDotDigitCount,
    mightHoldIpv6: hasDoubleColon || colonCount >= 6,
  };
}
