// Runs the detectors a profile asks for over one text and returns its entities, sorted and
// without overlaps.
import { creditCardDetector } from './detectors/credit-card.detector';
import { Detector, Findings } from './detectors/detector';
import { createEmailAndMentionDetector } from './detectors/email-and-mention.detector';
import { ibanDetector } from './detectors/iban.detector';
import { ipv4Detector, ipv6Detector } from './detectors/ip-address.detector';
import { phoneDetector } from './detectors/phone.detector';
import { secretDetectors } from './detectors/secret.detector';
import { hintsFor } from './detectors/text-hints';
import { urlDetector } from './detectors/url.detector';
import { usSsnDetector } from './detectors/us-ssn.detector';
import { DetectedEntity, RedactionProfile } from './entity-type';
import { resolveOverlaps } from './resolve-overlaps';

const SHARED_DETECTORS: readonly Detector[] = [
  urlDetector,
  ...secretDetectors,
  ipv4Detector,
  ipv6Detector,
  creditCardDetector,
  ibanDetector,
  usSsnDetector,
  phoneDetector,
];

/** The detectors each profile runs, in order (exported for the linear-time property test). */
export const DETECTORS: Record<RedactionProfile, readonly Detector[]> = {
  log: [createEmailAndMentionDetector({ mentions: false }), ...SHARED_DETECTORS],
  prompt: [createEmailAndMentionDetector({ mentions: true }), ...SHARED_DETECTORS],
};

export function detectEntities(text: string, profile: RedactionProfile): DetectedEntity[] {
  const hints = hintsFor(text);
  const findings: Findings = { entities: [], lookAlikes: [] };
  for (const detector of DETECTORS[profile]) if (detector.applies(hints)) detector.detect(text, findings, hints);
  return findings.entities.length === 0 ? [] : resolveOverlaps(findings);
}
