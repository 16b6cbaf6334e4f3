// IBANs: a known country code, that country's exact length and a valid mod-97 check. Written
// compact or in groups of four separated by single spaces.
import { Detector, Findings } from './detector';
import { isAsciiAlphanumeric, isAsciiDigit } from './char-codes';
import { IBAN_LENGTHS } from './iban-lengths';
import { TextHints } from './text-hints';

// Where an IBAN may start: a country code and check digits after no letter or digit. The rest is
// read in place below (no match array, no substring), since the detector runs on every text with
// capitals before digits and most such candidates are not IBANs.
const IBAN_START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}/g;
const COUNTRY_CODE_LENGTH = 4;

const SPACE = 32;

/** IBAN length by country code, indexed by the two capitals ((first - 'A') * 26 + second - 'A'); 0: no IBAN. */
const LENGTH_BY_COUNTRY = new Uint8Array(26 * 26);
for (const [country, length] of Object.entries(IBAN_LENGTHS)) LENGTH_BY_COUNTRY[(country.charCodeAt(0) - 65) * 26 + country.charCodeAt(1) - 65] = length;

function isUpperCode(code: number): boolean {
  return code >= 65 && code <= 90;
}

function expectedLength(text: string, start: number): number {
  const first = text.charCodeAt(start);
  const second = text.charCodeAt(start + 1);
  return isUpperCode(first) && isUpperCode(second) ? LENGTH_BY_COUNTRY[(first - 65) * 26 + second - 65] : 0;
}

/** One step of the mod-97 reading of an IBAN character (letters read as 10..35). */
function mod97Step(remainder: number, code: number): number {
  const value = code <= 57 ? code - 48 : code - 55;
  return (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
}

/** ISO 13616 check of text[start, end) (spaces skipped): the first four characters move to the end, mod 97. */
function passesChecksumAt(text: string, start: number, end: number): boolean {
  let remainder = 0;
  for (let i = start + COUNTRY_CODE_LENGTH; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code !== SPACE) remainder = mod97Step(remainder, code);
  }
  for (let i = start; i < start + COUNTRY_CODE_LENGTH; i++) remainder = mod97Step(remainder, text.charCodeAt(i));
  return remainder === 1;
}

/** ISO 13616 check: move the first four characters to the end, read letters as 10..35, mod 97. */
export function passesIbanChecksum(iban: string): boolean {
  return passesChecksumAt(iban, 0, iban.length);
}

/**
 * Length of the IBAN-shaped text at `start` (known country, that country's length in capitals and
 * digits, single spaces only between groups of four, not running on into more letters or digits),
 * or -1.
 */
function ibanLengthAt(text: string, start: number): number {
  const expected = expectedLength(text, start);
  if (expected === 0) return -1;
  let compact = 0;
  let i = start;
  let afterSpace = false;
  for (; compact < expected; i++) {
    if (i >= text.length) return -1;
    const code = text.charCodeAt(i);
    if (code === SPACE) {
      if (afterSpace || compact % 4 !== 0) return -1;
      afterSpace = true;
      continue;
    }
    if (!isUpperCode(code) && !isAsciiDigit(code)) return -1;
    afterSpace = false;
    compact++;
  }
  return i < text.length && isAsciiAlphanumeric(text.charCodeAt(i)) ? -1 : i - start;
}

export interface IbanMatch {
  /** Length within the candidate, spaces included. */
  length: number;
  checksumValid: boolean;
}

/** The IBAN-shaped text the candidate starts with, or null (see ibanLengthAt). */
export function matchIban(candidate: string): IbanMatch | null {
  const length = ibanLengthAt(candidate, 0);
  return length === -1 ? null : { length, checksumValid: passesChecksumAt(candidate, 0, length) };
}

export const ibanDetector: Detector = {
  // Every IBAN starts with its country code and check digits, and its account part holds a run
  // of four digits, in one of its groups of four at least.
  applies: (hints) => hints.ibanSearchStart !== -1 && hints.hasFourDigitRun,
  detect(text: string, findings: Findings, hints: TextHints): void {
    IBAN_START.lastIndex = hints.ibanSearchStart;
    while (IBAN_START.test(text)) {
      const start = IBAN_START.lastIndex - COUNTRY_CODE_LENGTH;
      const length = ibanLengthAt(text, start);
      if (length === -1) {
        IBAN_START.lastIndex = start + 1;
        continue;
      }
      const end = start + length;
      if (passesChecksumAt(text, start, end)) findings.entities.push({ type: 'IBAN', start, end });
      else findings.lookAlikes.push({ start, end });
      // A second IBAN may be written right after this one.
      IBAN_START.lastIndex = end;
    }
  },
};
