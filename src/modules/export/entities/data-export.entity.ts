import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type DataExportStatus = 'pending' | 'ready' | 'failed';

/** A GDPR Art. 20 / CCPA export of one person's data, written to a file under DATA_DIR. */
@Entity({ tableName: 'data_exports' })
@Index({ properties: ['userId', 'createdAt'] })
export class DataExport {
  [OptionalProps]?: 'status' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'uuid', nullable: true })
  runId?: string | null;

  @Property({ type: 'text' })
  status: DataExportStatus = 'pending';

  /** Relative to DATA_DIR. */
  @Property({ type: 'text', nullable: true })
  filePath?: string | null;

  @Property({ type: 'bigint', nullable: true })
  sizeBytes?: string | null;

  @Property({ type: 'datetime', nullable: true })
  completedAt?: Date | null;

  /** When the download link stops working. */
  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
