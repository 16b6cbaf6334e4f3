// IPv4 (each octet 0-255) and IPv6 (full, `::`-compressed, and with an IPv4 tail). Candidates
// are shaped loosely by the regexes and decided here, so clock times such as 12:30:45 and version
// strings with three parts never qualify.
import { Detector, Findings } from './detector';
import { isAsciiDigit, isWordChar } from './char-codes';

const IPV4_CANDIDATE = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
// Each repetition starts with ':', so the engine never has two ways to split the same text.
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8}(?:(?:\.\d{1,3}){3})?/g;
const COLON = 58;
const DOT = 46;

export function isValidIpv4(candidate: string): boolean {
  const octets = candidate.split('.');
  return octets.length === 4 && octets.every((octet) => octet.length > 0 && octet.length <= 3 && Number(octet) <= 255);
}

/** isValidIpv4 for a match of IPV4_CANDIDATE (four dot-separated runs of 1-3 digits), read in place. */
function octetsFitIn(text: string, start: number, end: number): boolean {
  let octet = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === DOT) octet = 0;
    else if ((octet = octet * 10 + code - 48) > 255) return false;
  }
  return true;
}

function isIpCharCode(code: number): boolean {
  return isHexCode(code) || code === COLON || code === DOT;
}

/**
 * Where the match of a candidate pattern that ends at `end` starts: its lookbehind rules out every
 * character the candidate is made of, so it starts after the last character outside them. Finding
 * candidates with `test` and this saves a match array and a substring per candidate.
 */
function candidateStart(text: string, end: number, isCandidateChar: (code: number) => boolean): number {
  let start = end;
  while (start > 0 && isCandidateChar(text.charCodeAt(start - 1))) start--;
  return start;
}

function isDigitOrDot(code: number): boolean {
  return isAsciiDigit(code) || code === DOT;
}

function isHexCode(code: number): boolean {
  return isAsciiDigit(code) || ((code | 32) >= 97 && (code | 32) <= 102);
}

/**
 * isValidIpv6 for text[start, end), read in place (no slices or splits: the detector runs it on
 * every candidate): groups of one to four hex digits between single colons, at most one "::".
 */
function isValidIpv6In(text: string, start: number, end: number): boolean {
  const lastColon = text.lastIndexOf(':', end - 1);
  if (lastColon < start) return false;
  let hasIpv4Tail = false;
  for (let i = lastColon + 1; i < end && !hasIpv4Tail; i++) hasIpv4Tail = text.charCodeAt(i) === DOT;
  if (hasIpv4Tail && !isValidIpv4(text.slice(lastColon + 1, end))) return false;
  // An IPv4 tail fills two of the eight groups: it counts as one written group of seven available
  // (the groups end with the last colon), which keeps the arithmetic below the same for both forms.
  const groupsEnd = hasIpv4Tail ? lastColon + 1 : end;
  const groupsAvailable = hasIpv4Tail ? 7 : 8;
  let written = hasIpv4Tail ? 1 : 0;
  let compressed = false;
  let groupLength = 0;
  for (let i = start; i < groupsEnd; i++) {
    const code = text.charCodeAt(i);
    if (code !== COLON) {
      if (!isHexCode(code) || ++groupLength > 4) return false;
      continue;
    }
    if (groupLength > 0) {
      written++;
      groupLength = 0;
    }
    const colons = text.charCodeAt(i + 1) === COLON && i + 1 < groupsEnd ? 2 : 1;
    if (colons === 2) {
      // "::" once; a third colon would make an empty group.
      if (compressed || (i + 2 < groupsEnd && text.charCodeAt(i + 2) === COLON)) return false;
      compressed = true;
      i++;
    } else if (i === start || (i + 1 === groupsEnd && !hasIpv4Tail)) {
      return false; // a single colon at either end leaves an empty group
    }
  }
  if (groupLength > 0) written++;
  if (!compressed) return written === groupsAvailable;
  // "::" stands for at least one zero group. A single written group ("::1", "cafe::") says too
  // little about a person to be worth the false positives on code such as `Cafe::`.
  return written < groupsAvailable && (written >= 2 || hasIpv4Tail);
}

export function isValidIpv6(candidate: string): boolean {
  return isValidIpv6In(candidate, 0, candidate.length);
}

// Most texts with two colons hold no IPv6 address but a clock time or a URL; this much cheaper
// scan rules them out before the full candidate pattern runs.
const COLON_PAIR = /:[0-9A-Fa-f]{0,4}:/;

function findIpv4(text: string, findings: Findings): void {
  IPV4_CANDIDATE.lastIndex = 0;
  while (IPV4_CANDIDATE.test(text)) {
    const end = IPV4_CANDIDATE.lastIndex;
    // The lookbehind keeps digits and dots out of the character before the candidate.
    const start = candidateStart(text, end, isDigitOrDot);
    if (octetsFitIn(text, start, end)) findings.entities.push({ type: 'IP_ADDRESS', start, end });
  }
}

/** Whether text[start, end) holds "::", and how many ':' and '.' it holds. */
function countColonsAndDots(text: string, start: number, end: number): { colons: number; dots: number; compressed: boolean } {
  const counts = { colons: 0, dots: 0, compressed: false };
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === DOT) counts.dots++;
    else if (code === COLON) {
      counts.colons++;
      if (text.charCodeAt(i + 1) === COLON) counts.compressed = true;
    }
  }
  return counts;
}

/**
 * Where the next candidate can start, from `from`: every candidate has a ':' within its first
 * five characters, so none starts more than four before the next ':' (and the stretch of prose
 * before it, where every hex letter would be tried as a start, is skipped).
 */
function nextCandidateStart(text: string, from: number): number {
  const colon = text.indexOf(':', from);
  return colon === -1 ? -1 : Math.max(from, colon - 4);
}

function findIpv6(text: string, findings: Findings): void {
  if (!COLON_PAIR.test(text)) return;
  for (let from = nextCandidateStart(text, 0); from !== -1; from = nextCandidateStart(text, IPV6_CANDIDATE.lastIndex)) {
    IPV6_CANDIDATE.lastIndex = from;
    if (!IPV6_CANDIDATE.test(text)) return;
    const end = IPV6_CANDIDATE.lastIndex;
    const next = text.charCodeAt(end);
    if (isWordChar(next) || next === COLON) continue;
    // The lookbehind keeps hex digits, ':' and '.' out of the character before the candidate.
    const start = candidateStart(text, end, isIpCharCode);
    // Clock times (12:30:45) are most candidates: without "::" an address has seven colons, or
    // six before an IPv4 tail.
    const { colons, dots, compressed } = countColonsAndDots(text, start, end);
    if (!compressed && colons !== 7 && !(colons === 6 && dots > 0)) continue;
    if (isValidIpv6In(text, start, end)) findings.entities.push({ type: 'IP_ADDRESS', start, end });
  }
}

export const ipv4Detector: Detector = {
  // Three dots, each between two digits.
  applies: (hints) => hints.digitDotDigitCount >= 3,
  detect: findIpv4,
};

export const ipv6Detector: Detector = {
  applies: (hints) => hints.mightHoldIpv6,
  detect: findIpv6,
};
