// US Social Security numbers written with separators (123-45-6789, 123 45 6789). Nine bare
// digits are left alone: they are as often an order or account number. Numbers the SSA never
// issues (area 000, 666 or 900-999, group 00, serial 0000) are not SSNs.
import { Detector, Findings } from './detector';
import { TextHints } from './text-hints';

const SSN_CANDIDATE = /(?<![\w.,+\/-])\d{3}([ .-])\d{2}\1\d{4}(?![\w]|[.-]\d)/g;
/** Every candidate is 3 + 1 + 2 + 1 + 4 characters long, so `test` and lastIndex say where it is. */
const SSN_LENGTH = 11;

export function isIssuableSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function isAllZeros(text: string, from: number, length: number): boolean {
  for (let i = from; i < from + length; i++) if (text.charCodeAt(i) !== 48) return false;
  return true;
}

/** isIssuableSsn for the candidate at `start`, read in place (digits as codes: '0' is 48, '6' 54, '9' 57). */
function isIssuableSsnAt(text: string, start: number): boolean {
  const areaIs666 = text.charCodeAt(start) === 54 && text.charCodeAt(start + 1) === 54 && text.charCodeAt(start + 2) === 54;
  return !isAllZeros(text, start, 3) && !areaIs666 && text.charCodeAt(start) !== 57 && !isAllZeros(text, start + 4, 2) && !isAllZeros(text, start + 7, 4);
}

export const usSsnDetector: Detector = {
  // Every candidate has the hints' 3-2-4 group shape: none starts before the first.
  applies: (hints) => hints.ssnSearchStart !== -1,
  detect(text: string, findings: Findings, hints: TextHints): void {
    SSN_CANDIDATE.lastIndex = hints.ssnSearchStart;
    while (SSN_CANDIDATE.test(text)) {
      const end = SSN_CANDIDATE.lastIndex;
      const start = end - SSN_LENGTH;
      if (isIssuableSsnAt(text, start)) findings.entities.push({ type: 'US_SSN', start, end });
    }
  },
};
