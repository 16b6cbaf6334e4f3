// Cheap facts about a text that tell most detectors they cannot match, so they skip it without
// running their pattern (a log line without '@' has no email; one without four digits in a row
// has no card number or SSN). Native string search and one-character-class patterns are many
// times faster than the detectors' own patterns, and far faster than a character loop in JS.
export interface TextHints {
  hasAt: boolean;
  hasColon: boolean;
  hasDot: boolean;
  hasEquals: boolean;
  hasDigit: boolean;
  hasFourDigitRun: boolean;
}

const ANY_DIGIT = /\d/;
const FOUR_DIGIT_RUN = /\d{4}/;

export function hintsFor(text: string): TextHints {
  const hasDigit = ANY_DIGIT.test(text);
  return {
    hasAt: text.indexOf('@') !== -1,
    hasColon: text.indexOf(':') !== -1,
    hasDot: text.indexOf('.') !== -1,
    hasEquals: text.indexOf('=') !== -1,
    hasDigit,
    hasFourDigitRun: hasDigit && FOUR_DIGIT_RUN.test(text),
  };
}
