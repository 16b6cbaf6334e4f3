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

// Types whose digit groups may belong to a neighbouring IBAN or card, and the types that claim them.
const IS_DIGIT_GROUP_TYPE: Record<EntityType, boolean> = {
  PHONE: true,
  US_SSN: true,
  IP_ADDRESS: true,
  CREDIT_CARD: true,
  EMAIL: false,
  URL: false,
  IBAN: false,
  SECRET: false,
  MENTION: false,
};

function isClaimingType(type: EntityType): boolean {
  return type === 'IBAN' || type === 'CREDIT_CARD';
}

function startsInside(entity: Span, span: Span): boolean {
  return span.start <= entity.start && entity.start < span.end;
}

/** Rule 1: a digit-group entity that starts inside a look-alike, an IBAN or another card. */
function isClaimedByAnother(entity: Finding, { entities, lookAlikes }: Findings): boolean {
  if (!IS_DIGIT_GROUP_TYPE[entity.type]) return false;
  for (const span of lookAlikes) if (startsInside(entity, span)) return true;
  for (const other of entities) if (other !== entity && isClaimingType(other.type) && startsInside(entity, other)) return true;
  return false;
}

/**
 * Rule 2: the entity, ended at its last shorter end at or before each neighbour that starts inside
 * it (kept entities, then look-alikes, in order: each cut can move the end before the next one).
 */
function withNeighboursRespected(entity: Finding, kept: readonly Finding[], lookAlikes: readonly Span[]): DetectedEntity {
  const { type, start, shorterEnds } = entity;
  let end = entity.end;
  if (shorterEnds !== undefined && shorterEnds.length > 0) {
    for (const neighbour of kept) if (neighbour !== entity) end = endBefore(neighbour, start, end, shorterEnds);
    for (const neighbour of lookAlikes) end = endBefore(neighbour, start, end, shorterEnds);
  }
  return { type, start, end };
}

function endBefore(neighbour: Span, start: number, end: number, shorterEnds: readonly number[]): number {
  if (neighbour.start <= start || neighbour.start >= end) return end;
  for (let i = shorterEnds.length - 1; i >= 0; i--) if (shorterEnds[i] <= neighbour.start) return shorterEnds[i];
  return end;
}

function outranks(candidate: DetectedEntity, current: DetectedEntity): boolean {
  const lengthDifference = candidate.end - candidate.start - (current.end - current.start);
  return lengthDifference > 0 || (lengthDifference === 0 && SPECIFICITY[candidate.type] > SPECIFICITY[current.type]);
}

function isSortedAndDisjoint(entities: readonly DetectedEntity[]): boolean {
  for (let i = 1; i < entities.length; i++) if (entities[i].start < entities[i - 1].end) return false;
  return true;
}

/** Rule 3, on entities of its own (sorted in place). */
function mergeOverlapping(entities: DetectedEntity[]): DetectedEntity[] {
  // Most texts' entities are apart already, in the order the detectors found them.
  if (isSortedAndDisjoint(entities)) return entities;
  const byStart = entities.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: DetectedEntity[] = [];
  let { start, end } = byStart[0];
  let winner = byStart[0];
  for (let i = 1; i < byStart.length; i++) {
    const entity = byStart[i];
    if (entity.start < end) {
      end = Math.max(end, entity.end);
      if (outranks(entity, winner)) winner = entity;
      continue;
    }
    merged.push({ type: winner.type, start, end });
    ({ start, end } = entity);
    winner = entity;
  }
  merged.push({ type: winner.type, start, end });
  return merged;
}

/** Sorted, non-overlapping entities. */
export function resolveOverlaps(findings: Findings): DetectedEntity[] {
  const { entities, lookAlikes } = findings;
  if (entities.length === 1 && lookAlikes.length === 0) {
    const [{ type, start, end }] = entities;
    return [{ type, start, end }];
  }
  const kept: Finding[] = [];
  for (const entity of entities) if (!isClaimedByAnother(entity, findings)) kept.push(entity);
  const resolved: DetectedEntity[] = [];
  for (const entity of kept) resolved.push(withNeighboursRespected(entity, kept, lookAlikes));
  return mergeOverlapping(resolved);
}
