import { DetectedEntity } from '../entity-type';
import { TextHints } from './text-hints';

export interface Span {
  start: number;
  end: number;
}

export interface Finding extends DetectedEntity {
  /**
   * Earlier ends, ascending, at which the entity would still be valid. A loosely delimited match
   * (a phone number's digit groups) gives way to a neighbour that starts inside it.
   */
  shorterEnds?: number[];
}

export interface Findings {
  entities: Finding[];
  /**
   * Text shaped like an entity that failed its check, such as a Luhn-invalid card or a
   * mod-97-invalid IBAN. It is not personal data, and neither is anything another detector
   * finds inside it (the trunk-0 "phone number" in the digit groups of an IBAN).
   */
  lookAlikes: Span[];
}

/**
 * One family of entities. Detectors record only validated spans; overlaps between families are
 * resolved afterwards, so no detector needs to know about the others.
 */
export interface Detector {
  /** A cheap necessary condition: false means the detector cannot find anything in the text. */
  applies(hints: TextHints): boolean;
  /** Records what it finds in `text`; the hints may say where to start looking. */
  detect(text: string, findings: Findings, hints: TextHints): void;
}
