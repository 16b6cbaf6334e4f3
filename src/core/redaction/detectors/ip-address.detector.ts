// IPv4 (each octet 0-255) and IPv6 (full, `::`-compressed, and with an IPv4 tail). Candidates
// are shaped loosely by the regexes and decided here, so clock times such as 12:30:45 and version
// strings with three parts never qualify.
import { Detector, Findings } from './detector';
import { isWordChar } from './char-codes';

const IPV4_CANDIDATE = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
// Each repetition starts with ':', so the engine never has two ways to split the same text.
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8}(?:(?:\.\d{1,3}){3})?/g;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

export function isValidIpv4(candidate: string): boolean {
  const octets = candidate.split('.');
  return octets.length === 4 && octets.every((octet) => octet.length > 0 && octet.length <= 3 && Number(octet) <= 255);
}

export function isValidIpv6(candidate: string): boolean {
  const lastColon = candidate.lastIndexOf(':');
  const hasIpv4Tail = candidate.includes('.', lastColon);
  if (hasIpv4Tail && !isValidIpv4(candidate.slice(lastColon + 1))) return false;
  // An IPv4 tail fills two of the eight groups; one stand-in group plus seven available keeps
  // the arithmetic below the same for both forms.
  const groups = hasIpv4Tail ? candidate.slice(0, lastColon + 1) + '0' : candidate;
  const groupsAvailable = hasIpv4Tail ? 7 : 8;
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const parse = (half: string): string[] | null => {
    if (half === '') return [];
    const parts = half.split(':');
    return parts.every((part) => HEX_GROUP.test(part)) ? parts : null;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (head === null || tail === null) return false;
  const written = head.length + tail.length;
  if (halves.length === 1) return written === groupsAvailable;
  // "::" stands for at least one zero group. A single written group ("::1", "cafe::") says too
  // little about a person to be worth the false positives on code such as `Cafe::`.
  return written < groupsAvailable && (written >= 2 || hasIpv4Tail);
}

// Most texts with two colons hold no IPv6 address but a clock time or a URL; this much cheaper
// scan rules them out before the full candidate pattern runs.
const COLON_PAIR = /:[0-9A-Fa-f]{0,4}:/;

function findIpv4(text: string, findings: Findings): void {
  IPV4_CANDIDATE.lastIndex = 0;
  for (let match = IPV4_CANDIDATE.exec(text); match !== null; match = IPV4_CANDIDATE.exec(text)) {
    if (isValidIpv4(match[0])) findings.entities.push({ type: 'IP_ADDRESS', start: match.index, end: match.index + match[0].length });
  }
}

function colonCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) count++;
  return count;
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
    const match = IPV6_CANDIDATE.exec(text);
    if (match === null) return;
    const end = match.index + match[0].length;
    const next = text.charCodeAt(end);
    if (isWordChar(next) || next === 58 /* ':' */) continue;
    // Clock times (12:30:45) are most candidates: without "::" an address has seven colons, or
    // six before an IPv4 tail.
    const colons = colonCount(match[0]);
    if (match[0].indexOf('::') === -1 && colons !== 7 && !(colons === 6 && match[0].indexOf('.') !== -1)) continue;
    if (isValidIpv6(match[0])) findings.entities.push({ type: 'IP_ADDRESS', start: match.index, end });
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
