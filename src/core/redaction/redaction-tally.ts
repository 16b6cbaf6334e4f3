// Every redaction this process has made, by profile and entity type: the running totals behind
// `repazoo_redacted_entities_total`. Process-wide (not a Nest provider) because the logger redacts
// before dependency injection exists; the redaction API in redact.ts records into it, so a
// redaction counts wherever it happens (logs, tweets, analysis summaries, prompts, the CLI).
import { ENTITY_TYPES, EntityType, RedactionProfile } from './entity-type';

export const REDACTION_PROFILES: readonly RedactionProfile[] = ['log', 'prompt'];

export interface RedactionCount {
  profile: RedactionProfile;
  type: EntityType;
  count: number;
}

export class RedactionTally {
  private readonly counts = new Map<string, number>();

  record(profile: RedactionProfile, type: EntityType, times = 1): void {
    const key = `${profile}:${type}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + times);
  }

  /** Every profile and type, zeros included (a copy). */
  snapshot(): RedactionCount[] {
    return REDACTION_PROFILES.flatMap((profile) =>
      ENTITY_TYPES.map((type) => ({ profile, type, count: this.counts.get(`${profile}:${type}`) ?? 0 })),
    );
  }

  /** Totals by type over all profiles (a copy). */
  byType(): Record<EntityType, number> {
    const totals = Object.fromEntries(ENTITY_TYPES.map((type) => [type, 0])) as Record<EntityType, number>;
    for (const { type, count } of this.snapshot()) totals[type] += count;
    return totals;
  }
}

/** This process's tally. */
export const redactionTally = new RedactionTally();
