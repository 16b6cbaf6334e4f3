// Payment card numbers: 13 to 19 digits, written compact or in groups separated by spaces or
// dashes, accepted only when the Luhn checksum holds.
import { isAsciiDigit } from './char-codes';
import { Detector, Findings, Span } from './detector';
import { TextHints } from './text-hints';

// Card numbers start with 2-6 (Mastercard 2/5, Amex and Diners 3, Visa 4, Discover and
// UnionPay 6); 19-digit tweet ids, which start with 1, stay out.
const CARD_CANDIDATE = /(?<![\w.,+\/-])[2-6]\d{3,18}(?:[ -]\d{1,6}){0,6}(?![\w]|[.,-]\d)/g;
const CARD_DIGITS = { min: 13, max: 19 };

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

// The groups of one candidate and the search's outcome, reused from one candidate to the next:
// the detector runs on every text with digit groups, and these small allocations per candidate
// were a good part of its cost. (Detection is synchronous, so nothing else uses them meanwhile.)
const groupStarts: number[] = [];
const groupEnds: number[] = [];
const found = { cardStart: -1, cardEnd: -1, lookAlikeStart: -1, lookAlikeEnd: -1 };

/** The Luhn value of a digit when doubled. */
function doubled(digit: number): number {
  return digit > 4 ? digit * 2 - 9 : digit * 2;
}

/**
 * Whether groups first..last (separated by single spaces or hyphens, as the candidate pattern
 * writes them) are laid out as cards are printed: compact (13 to 19 digits, which the caller
 * checks), in fours (4-4-4-1..4, and an optional 1..3 more), or Amex/Diners 4-6-5 and 4-6-4, with
 * one kind of separator throughout.
 */
function hasCardLayout(text: string, first: number, last: number): boolean {
  const count = last - first + 1;
  if (count === 1) return true; // the caller checked the digit count
  const separator = text.charCodeAt(groupEnds[first]);
  for (let group = first + 1; group < last; group++) if (text.charCodeAt(groupEnds[group]) !== separator) return false;
  const length = (group: number): number => groupEnds[first + group] - groupStarts[first + group];
  if (length(0) !== 4) return false;
  if (count === 3) return length(1) === 6 && length(2) >= 4 && length(2) <= 5;
  if (count !== 4 && count !== 5) return false;
  if (length(1) !== 4 || length(2) !== 4 || length(3) > 4) return false;
  return count === 4 || length(4) <= 3;
}

/**
 * findCardInGroups for text[from, to), a match of CARD_CANDIDATE, in place: the outcome goes to
 * `found` (-1 for none), the Luhn sums are kept for both parities as groups are added, and the
 * layout is read from the group lengths, so no substring is made.
 */
function findCardInCandidate(text: string, from: number, to: number): void {
  let groups = 0;
  for (let i = from; i < to; i++) {
    if (!isAsciiDigit(text.charCodeAt(i))) continue;
    groupStarts[groups] = i;
    while (i + 1 < to && isAsciiDigit(text.charCodeAt(i + 1))) i++;
    groupEnds[groups++] = i + 1;
  }
  found.cardStart = found.cardEnd = found.lookAlikeStart = found.lookAlikeEnd = -1;
  let lookAlikeLength = 0;
  for (let first = 0; first < groups; first++) {
    const leading = text.charCodeAt(groupStarts[first]);
    if (leading < 50 || leading > 54) continue; // '2'..'6'
    let cardEnd = -1;
    let digits = 0;
    // Luhn sums of the digits so far, with the last digit not doubled (the check) and doubled.
    let sumUndoubled = 0;
    let sumDoubled = 0;
    for (let last = first; last < groups; last++) {
      for (let i = groupStarts[last]; i < groupEnds[last]; i++) {
        const digit = text.charCodeAt(i) - 48;
        const undoubled = digit + sumDoubled;
        sumDoubled = doubled(digit) + sumUndoubled;
        sumUndoubled = undoubled;
      }
      digits += groupEnds[last] - groupStarts[last];
      if (digits > CARD_DIGITS.max) break;
      if (digits < CARD_DIGITS.min || !hasCardLayout(text, first, last)) continue;
      if (sumUndoubled % 10 === 0) {
        cardEnd = groupEnds[last]; // longer than any earlier one from the same first group
      } else if (groupEnds[last] - groupStarts[first] > lookAlikeLength) {
        lookAlikeLength = groupEnds[last] - groupStarts[first];
        found.lookAlikeStart = groupStarts[first];
        found.lookAlikeEnd = groupEnds[last];
      }
    }
    if (cardEnd !== -1) {
      found.cardStart = groupStarts[first];
      found.cardEnd = cardEnd;
      if (found.lookAlikeEnd > found.cardStart) found.lookAlikeStart = found.lookAlikeEnd = -1;
      return;
    }
  }
}

export interface CardSearch {
  /** The first card in the candidate: the longest valid run of whole groups at the earliest start. */
  card: Span | null;
  /** A card-shaped run before it (or anywhere, when there is no card) that fails Luhn. */
  lookAlike: Span | null;
}

/**
 * Searches a candidate (a match of the card pattern) for runs of whole digit groups printed like
 * a card, so that a card written after another number ("ref 2024 4111 1111 1111 1111") or before
 * a CVV is still found.
 */
export function findCardInGroups(candidate: string): CardSearch {
  findCardInCandidate(candidate, 0, candidate.length);
  return {
    card: found.cardStart === -1 ? null : { start: found.cardStart, end: found.cardEnd },
    lookAlike: found.lookAlikeStart === -1 ? null : { start: found.lookAlikeStart, end: found.lookAlikeEnd },
  };
}

export const creditCardDetector: Detector = {
  // A card (or a look-alike) is at least 13 digits in groups separated by one space or hyphen:
  // no candidate before the first such groups can find one or move the search.
  applies: (hints) => hints.cardSearchStart !== -1,
  detect(text: string, findings: Findings, hints: TextHints): void {
    CARD_CANDIDATE.lastIndex = hints.cardSearchStart;
    for (let match = CARD_CANDIDATE.exec(text); match !== null; match = CARD_CANDIDATE.exec(text)) {
      if (match[0].length < CARD_DIGITS.min) continue;
      findCardInCandidate(text, match.index, match.index + match[0].length);
      if (found.lookAlikeStart !== -1) findings.lookAlikes.push({ start: found.lookAlikeStart, end: found.lookAlikeEnd });
      if (found.cardStart !== -1) findings.entities.push({ type: 'CREDIT_CARD', start: found.cardStart, end: found.cardEnd });
      // The candidate stops after a fixed number of groups, and a card may follow whatever was
      // found: carry on right after it (or at the next group, which the lookbehind selects).
      CARD_CANDIDATE.lastIndex = found.cardStart !== -1 ? found.cardEnd : found.lookAlikeStart !== -1 ? found.lookAlikeEnd : match.index + 1;
    }
  },
};
