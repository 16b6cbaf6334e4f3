// Payment card numbers: 13 to 19 digits, written compact or in groups separated by spaces or
// dashes, accepted only when the Luhn checksum holds.
import { Detector, Findings, Span } from './detector';

// Card numbers start with 2-6 (Mastercard 2/5, Amex and Diners 3, Visa 4, Discover and
// UnionPay 6); 19-digit tweet ids, which start with 1, stay out.
const CARD_CANDIDATE = /(?<![\w.,+\/-])[2-6]\d{3,18}(?:[ -]\d{1,6}){0,6}(?![\w]|[.,-]\d)/g;
const DIGIT_GROUP = /\d+/g;
// How cards are printed: compact, in fours, or Amex/Diners 4-6-5 and 4-6-4, with one kind of
// separator throughout.
const CARD_LAYOUT = /^(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})$/;
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

interface DigitGroup {
  digits: string;
  start: number;
  end: number;
}

function digitGroups(candidate: string): DigitGroup[] {
  const groups: DigitGroup[] = [];
  DIGIT_GROUP.lastIndex = 0;
  for (let match = DIGIT_GROUP.exec(candidate); match !== null; match = DIGIT_GROUP.exec(candidate)) {
    groups.push({ digits: match[0], start: match.index, end: match.index + match[0].length });
  }
  return groups;
}

export interface CardSearch {
  /** The first card in the candidate: the longest valid run of whole groups at the earliest start. */
  card: Span | null;
  /** A card-shaped run before it (or anywhere, when there is no card) that fails Luhn. */
  lookAlike: Span | null;
}

const longer = (span: Span, than: Span | null): boolean => than === null || span.end - span.start > than.end - than.start;

/**
 * Searches runs of whole digit groups printed like a card, so that a card written after another
 * number ("ref 2024 4111 1111 1111 1111") or before a CVV is still found.
 */
export function findCardInGroups(candidate: string): CardSearch {
  const groups = digitGroups(candidate);
  let lookAlike: Span | null = null;
  for (let first = 0; first < groups.length; first++) {
    const leading = groups[first].digits.charCodeAt(0);
    if (leading < 50 || leading > 54) continue; // '2'..'6'
    let card: Span | null = null;
    let digits = '';
    for (let last = first; last < groups.length; last++) {
      digits += groups[last].digits;
      if (digits.length > CARD_DIGITS.max) break;
      const span = { start: groups[first].start, end: groups[last].end };
      if (digits.length < CARD_DIGITS.min || !CARD_LAYOUT.test(candidate.slice(span.start, span.end))) continue;
      if (passesLuhn(digits)) {
        if (longer(span, card)) card = span;
      } else if (longer(span, lookAlike)) {
        lookAlike = span;
      }
    }
    if (card !== null) return { card, lookAlike: lookAlike !== null && lookAlike.end <= card.start ? lookAlike : null };
  }
  return { card: null, lookAlike };
}

export const creditCardDetector: Detector = {
  // A card (or a look-alike) is at least 13 digits in groups separated by one space or hyphen.
  applies: (hints) => hints.mostDigitsInSpacedGroups >= CARD_DIGITS.min,
  detect(text: string, findings: Findings): void {
    CARD_CANDIDATE.lastIndex = 0;
    for (let match = CARD_CANDIDATE.exec(text); match !== null; match = CARD_CANDIDATE.exec(text)) {
      if (match[0].length < CARD_DIGITS.min) continue;
      const { card, lookAlike } = findCardInGroups(match[0]);
      const at = (span: Span): Span => ({ start: match.index + span.start, end: match.index + span.end });
      if (lookAlike !== null) findings.lookAlikes.push(at(lookAlike));
      if (card !== null) findings.entities.push({ type: 'CREDIT_CARD', ...at(card) });
      // The candidate stops after a fixed number of groups, and a card may follow whatever was
      // found: carry on right after it (or at the next group, which the lookbehind selects).
      CARD_CANDIDATE.lastIndex = match.index + (card?.end ?? lookAlike?.end ?? 1);
    }
  },
};
