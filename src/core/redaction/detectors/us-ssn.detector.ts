// US Social Security numbers written with separators (123-45-6789, 123 45 6789). Nine bare
// digits are left alone: they are as often an order or account number. Numbers the SSA never
// issues (area 000, 666 or 900-999, group 00, serial 0000) are not SSNs.
import { Detector, Findings } from './detector';
import { TextHints } from './text-hints';

const SSN_CANDIDATE = /(?<![\w.,+\/-])(\d{3})([ .-])(\d{2})\2(\d{4})(?![\w]|[.-]\d)/g;

export function isIssuableSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

export const usSsnDetector: Detector = {
  // Every candidate has the hints' 3-2-4 group shape: none starts before the first.
  applies: (hints) => hints.ssnSearchStart !== -1,
  detect(text: string, findings: Findings, hints: TextHints): void {
    SSN_CANDIDATE.lastIndex = hints.ssnSearchStart;
    for (let match = SSN_CANDIDATE.exec(text); match !== null; match = SSN_CANDIDATE.exec(text)) {
      if (isIssuableSsn(match[1], match[3], match[4])) {
        findings.entities.push({ type: 'US_SSN', start: match.index, end: match.index + match[0].length });
      }
    }
  },
};
