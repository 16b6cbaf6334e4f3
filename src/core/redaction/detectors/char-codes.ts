// Character tests on UTF-16 codes: the detectors walk text by hand around cheap anchors ('@'),
// which is faster than running a regex from every position.

export function isAsciiDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

export function isAsciiAlphanumeric(code: number): boolean {
  return isAsciiDigit(code) || isAsciiLetter(code);
}

/** The `\w` class of regular expressions: letters, digits and underscore. */
export function isWordChar(code: number): boolean {
  return isAsciiAlphanumeric(code) || code === 95;
}
