import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** The rights a person can exercise (GDPR Art. 15-21; CCPA's right to know and to delete). */
export enum DataRequestType {
  ACCESS = 'access',
  ERASURE = 'erasure',
  RECTIFICATION = 'rectification',
  RESTRICTION = 'restriction',
  OBJECTION = 'objection',
}

/** Which law's deadlines apply: GDPR Art. 12(3) or CCPA §1798.130. */
export enum PrivacyRegime {
  GDPR = 'gdpr',
  CCPA = 'ccpa',
}

export enum DataRequestStatus {
  RECEIVED = 'received',
  IN_PROGRESS = 'in_progress',
  EXTENDED = 'extended',
  COMPLETED = 'completed',
  REFUSED = 'refused',
}

/** The statuses a request can still leave: the ones that count against a deadline. */
export const OPEN_REQUEST_STATUSES: readonly DataRequestStatus[] = [DataRequestStatus.RECEIVED, DataRequestStatus.IN_PROGRESS, DataRequestStatus.EXTENDED];

/**
 * One data subject request, from receipt to its answer. Kept after the person's erasure: it is the
 * controller's proof that the request was answered, and when (accountability, GDPR Art. 5(2)).
 */
@Entity({ tableName: 'data_requests' })
@Index({ properties: ['userId', 'receivedAt'] })
@Index({ properties: ['status', 'dueAt'] })
export class DataRequest {
  [OptionalProps]?: 'status' | 'completedAt' | 'extendedUntil' | 'reason' | 'message' | 'exportId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  type!: DataRequestType;

  @Property({ type: 'text' })
  regime!: PrivacyRegime;

  @Property({ type: 'text' })
  status: DataRequestStatus = DataRequestStatus.RECEIVED;

  @Property({ type: 'datetime' })
  receivedAt!: Date;

  /** The legal deadline from receipt (one month under GDPR, 45 days under CCPA). */
  @Property({ type: 'datetime' })
  dueAt!: Date;

  /** The deadline after an extension (two more months under GDPR, 45 more days under CCPA). */
  @Property({ type: 'datetime', nullable: true })
  extendedUntil?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  completedAt?: Date | null;

  /** Why it was refused, extended or completed as it was: told to the person. */
  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  /** What the person wrote when filing a request that needs a human (rectification, ...). */
  @Property({ type: 'text', nullable: true })
  message?: string | null;

  /** The export an access request produced. */
  @Property({ type: 'uuid', nullable: true })
  exportId?: string | null;
}
