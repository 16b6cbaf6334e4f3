import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * A legal obligation to keep a person's data (litigation, an open investigation): while active,
 * erasure is refused and retention skips the person. Lifting it is a new fact, not a delete, so
 * the history of holds stays auditable.
 */
@Entity({ tableName: 'legal_holds' })
@Index({ properties: ['userId', 'liftedAt'] })
export class LegalHold {
  [OptionalProps]?: 'until' | 'liftedAt' | 'liftedBy';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  /** The legal ground, e.g. a case reference. Operators' words: no personal data by policy. */
  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'text' })
  placedBy!: string;

  @Property({ type: 'datetime' })
  placedAt!: Date;

  /** When the hold ends by itself; null holds until lifted. */
  @Property({ type: 'datetime', nullable: true })
  until?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  liftedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  liftedBy?: string | null;
}
