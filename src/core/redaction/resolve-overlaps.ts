// Detectors run independently, so one stretch of text can be claimed twice (an email inside a
// URL, a card number that also parses as a phone). Three rules settle it:
// 1. Digit groups that belong to an IBAN or a card, or to a look-alike of one, are not also the
//    start of a phone number, SSN, IP address or another card.
// 2. A loosely delimited match (a phone number) that runs into a neighbour stops before it when it
//    is still valid there.
// 3. What still overlaps becomes one entity covering all of it, so nothing any detector found is
//    left half visible. It takes the type of the longest member, on equal length the more specific.
import { Finding, Findings, Span } from './detectors/detector';
import { DetectedEntity, EntityType } from './entity-type';

const SPECIFICITY: Record<EntityType, number> = {
  SECRET: 9,
  CREDIT_CARD: 8,
  IBAN: 7,
  US_SSN: 6,
  EMAIL: 5,
  URL: 4,
  IP_ADDRESS: 3,
  PHONE: 2,
  MENTION: 1,
};

const DIGIT_GROUP_TYPES = new Set<EntityType>(['PHONE', 'US_SSN', 'IP_ADDRESS', 'CREDIT_CARD']);
const CLAIMING_TYPES = new Set<EntityType>(['IBAN', 'CREDIT_CARD']);

function startsInside(entity: Span, span: Span): boolean {
  return span.start <= entity.start && entity.start < span.end;
}

function claimedSpans({ entities, lookAlikes }: Findings): Span[] {
  return [...lookAlikes, ...entities.filter((entity) => CLAIMING_TYPES.has(entity.type))];
}

function isClaimedByAnother(entity: Finding, claimed: readonly Span[]): boolean {
  return DIGIT_GROUP_TYPES.has(entity.type) && claimed.some((span) => span !== entity && startsInside(entity, span));
}

function withNeighboursRespected(entity: Finding, neighbours: readonly Span[]): DetectedEntity {
  const { type, start, shorterEnds } = entity;
  let end = entity.end;
  if (shorterEnds !== undefined && shorterEnds.length > 0) {
    for (const neighbour of neighbours) {
      if (neighbour === entity || neighbour.start <= start || neighbour.start >= end) continue;
      const fitting = shorterEnds.filter((shorter) => shorter <= neighbour.start);
      if (fitting.length > 0) end = fitting[fitting.length - 1];
    }
  }
  return { type, start, end };
}

function outranks(candidate: DetectedEntity, current: DetectedEntity): boolean {
  const lengthDifference = candidate.end - candidate.start - (current.end - current.start);
  return lengthDifference > 0 || (lengthDifference === 0 && SPECIFICITY[candidate.type] > SPECIFICITY[current.type]);
}

function mergeOverlapping(entities: DetectedEntity[]): DetectedEntity[] {
  if (entities.length < 2) return entities;
  const byStart = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: DetectedEntity[] = [];
  let cluster = { ...byStart[0] };
  let winner = byStart[0];
  for (let i = 1; i < byStart.length; i++) {
    const entity = byStart[i];
    if (entity.start < cluster.end) {
      cluster.end = Math.max(cluster.end, entity.end);
      if (outranks(entity, winner)) winner = entity;
      continue;
    }
    merged.push({ ...cluster, type: winner.type });
    cluster = { ...entity };
    winner = entity;
  }
  merged.push({ ...cluster, type: winner.type });
  return merged;
}

/** Sorted, non-overlapping entities. */
export function resolveOverlaps(findings: Findings): DetectedEntity[] {
  if (findings.entities.length === 1 && findings.lookAlikes.length === 0) {
    const [{ type, start, end }] = findings.entities;
    return [{ type, start, end }];
  }
  const claimed = claimedSpans(findings);
  const kept = claimed.length === 0 ? findings.entities : findings.entities.filter((entity) => !isClaimedByAnother(entity, claimed));
  const neighbours: Span[] = [...kept, ...findings.lookAlikes];
  return mergeOverlapping(kept.map((entity) => withNeighboursRespected(entity, neighbours)));
}
