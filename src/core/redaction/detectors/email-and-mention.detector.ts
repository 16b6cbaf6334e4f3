// EMAIL and MENTION both hang off an '@', so one pass over the '@' positions finds both; an
// '@' that ends an email's local part can never start a mention.
import { Detector, Findings } from './detector';
import { isAsciiAlphanumeric, isAsciiLetter, isWordChar } from './char-codes';

const AT = 64;
const DOT = 46;
const HYPHEN = 45;
const MAX_HANDLE_LENGTH = 15;

function isLocalPartChar(code: number): boolean {
  // letters, digits and . _ % + - (the unquoted local-part characters seen in practice)
  return isAsciiAlphanumeric(code) || code === DOT || code === 95 || code === 37 || code === 43 || code === HYPHEN;
}

function isDomainChar(code: number): boolean {
  return isAsciiAlphanumeric(code) || code === DOT || code === HYPHEN;
}

/** End of the email's domain starting at `from`, or -1 when what follows is no domain. */
function domainEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && isDomainChar(text.charCodeAt(end))) end++;
  // A sentence may end right after the address: trailing dots and hyphens are not part of it.
  while (end > from && (text.charCodeAt(end - 1) === DOT || text.charCodeAt(end - 1) === HYPHEN)) end--;
  // Labels between dots, read in place (no slicing or splitting: this runs for every '@').
  let labels = 0;
  let labelStart = from;
  for (let i = from; i <= end; i++) {
    if (i < end && text.charCodeAt(i) !== DOT) continue;
    const length = i - labelStart;
    if (length === 0 || length > 63) return -1;
    if (text.charCodeAt(labelStart) === HYPHEN || text.charCodeAt(i - 1) === HYPHEN) return -1;
    labels++;
    if (i < end) labelStart = i + 1;
  }
  if (labels < 2) return -1;
  // labelStart is now the top-level domain's: two letters or more.
  if (end - labelStart < 2) return -1;
  for (let i = labelStart; i < end; i++) if (!isAsciiLetter(text.charCodeAt(i))) return -1;
  return end;
}

/** Start of the local part ending just before `at`, or -1 when there is none. */
function localPartStart(text: string, at: number): number {
  let start = at;
  while (start > 0 && isLocalPartChar(text.charCodeAt(start - 1))) start--;
  while (start < at && text.charCodeAt(start) === DOT) start++;
  return start < at && text.charCodeAt(at - 1) !== DOT ? start : -1;
}

function mentionEnd(text: string, at: number): number {
  if (at > 0 && isWordChar(text.charCodeAt(at - 1))) return -1;
  let end = at + 1;
  while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
  const length = end - at - 1;
  // A longer run of word characters is no X handle; an '@' right after is an email-like shape.
  if (length === 0 || length > MAX_HANDLE_LENGTH || text.charCodeAt(end) === AT) return -1;
  return end;
}

export function createEmailAndMentionDetector(options: { mentions: boolean }): Detector {
  return {
    applies: (hints) => hints.hasAt,
    detect(text: string, findings: Findings): void {
      let lastEnd = 0;
      for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
        if (at < lastEnd) continue;
        const start = localPartStart(text, at);
        const end = start === -1 ? -1 : domainEnd(text, at + 1);
        if (end !== -1) {
          findings.entities.push({ type: 'EMAIL', start: Math.max(start, lastEnd), end });
          lastEnd = end;
          continue;
        }
        if (!options.mentions) continue;
        const handleEnd = mentionEnd(text, at);
        if (handleEnd !== -1) {
          findings.entities.push({ type: 'MENTION', start: at, end: handleEnd });
          lastEnd = handleEnd;
        }
      }
    },
  };
}
