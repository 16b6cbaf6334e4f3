// Test helpers that show detections as the text they cover, which reads better in assertions
// than offsets do.
import { detectEntities } from '../detect-entities';
import { Detector, Findings } from '../detectors/detector';
import { hintsFor } from '../detectors/text-hints';
import { EntityType, RedactionProfile } from '../entity-type';

export type FoundValue = [EntityType, string];

/** What one detector finds by itself, before overlaps with other detectors are resolved. */
export function foundByDetector(detector: Detector, text: string): FoundValue[] {
  const findings: Findings = { entities: [], lookAlikes: [] };
  detector.detect(text, findings, hintsFor(text));
  return findings.entities.map(({ type, start, end }) => [type, text.slice(start, end)]);
}

/** What the whole pipeline reports for a profile. */
export function foundInText(text: string, profile: RedactionProfile = 'log'): FoundValue[] {
  return detectEntities(text, profile).map(({ type, start, end }) => [type, text.slice(start, end)]);
}
