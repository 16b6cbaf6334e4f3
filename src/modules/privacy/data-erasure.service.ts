// "Delete my data", derived from the personal-data map: in ONE transaction, every declared table
// is erased as its declaration says (rows deleted, columns pseudonymised, or kept for the stated
// obligation), so a failure leaves everything exactly as before. Kept after erasure, each with its
// reason in its declaration: billing records and subscriptions, consent records, billing events
// (pseudonymised), the audit trail and the account tombstone. Then the files of deleted rows, and
// the Redis keys that name the person for longer than an hour, go too.
// Each erasure is recorded as a data subject request; under a legal hold it is refused (409
// LEGAL_HOLD) and nothing at all is touched.
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { DataKeys } from '../../core/crypto/data-keys';
import { Pseudonyms } from '../../core/crypto/pseudonyms';
import { RunsService } from '../../core/jobs/runs.service';
import { PersonalDataMap, PersonalDataTable, pseudonymiseColumn, undeclaredPersonTables } from '../../core/personal-data';
import { REDIS_CLIENT } from '../../core/redis/redis.module';
import { XConnectionService } from '../consent/x-connection.service';
import { removeExportFile } from '../export/export-files';
import { LegalHoldException } from '../requests/data-requests.exception';
import { DataRequestsService } from '../requests/data-requests.service';
import { DataRequestStatus, DataRequestType } from '../requests/entities/data-request.entity';
import { LegalHoldsService } from '../requests/legal-holds.service';
import { NotificationKind } from '../notifications/entities/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { DataErasureRepository } from './data-erasure.repository';
import { DeletedCountsDto, DeleteMyDataResultDto } from './dto/delete-my-data.dto';

/** What the person is told when a hold stops their erasure (GDPR Art. 17(3)(b) and (e)). */
const LEGAL_HOLD_REASON = 'The data must be kept under a legal obligation (legal hold); it will be erasable once the hold ends';

@Injectable()
export class DataErasureService implements OnModuleInit {
  /** The audit action the spec names for an erasure. */
  static readonly AUDIT_ACTION = 'User requested full data deletion';
  private readonly logger = new Logger('Privacy');

  constructor(
    private readonly em: EntityManager,
    private readonly erasure: DataErasureRepository,
    private readonly personalData: PersonalDataMap,
    private readonly pseudonyms: Pseudonyms,
    private readonly runs: RunsService,
    private readonly xConnection: XConnectionService,
    private readonly audit: AuditService,
    private readonly requests: DataRequestsService,
    private readonly holds: LegalHoldsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    private readonly notifications: NotificationsService,
    private readonly dataKeys: DataKeys,
  ) {}

  /**
   * Refuses to start in a process where an entity with a `user_id` has no declaration (its module
   * is not wired in, or never declared it): an erasure there would leave the person's rows behind.
   */
  onModuleInit(): void {
    const missing = undeclaredPersonTables(Object.values(this.em.getMetadata().getAll()), this.personalData);
    if (missing.length > 0) {
      throw new Error(
        `delete-my-data would miss ${missing.join(', ')}: declare ${missing.length === 1 ? 'it' : 'them'} in the owning module's <module>.personal-data.ts and import that module`,
      );
    }
  }

  async deleteMyData(userId: string): Promise<DeleteMyDataResultDto> {
    // Before anything, revoking at X included: a hold keeps the data exactly as it is.
    if (await this.holds.isHeld(this.em.fork(), userId)) return this.refuseUnderLegalHold(userId);
    // An erasure request withdraws consent too (GDPR Art. 7(3)), so the tokens are revoked at X
    // first, while they can still be decrypted; a failure at X is recorded there, not fatal.
    await this.revokeAtX(userId);
    let files: string[];
    let deleted: DeletedCountsDto;
    try {
      ({ deleted, files } = await this.em.transactional((em) => this.eraseRows(em, userId)));
    } catch (error) {
      // A hold placed between the check above and the transaction's lock (the X tokens may be
      // revoked by then; the rows were rolled back).
      if (error instanceof LegalHoldException) return this.refuseUnderLegalHold(userId);
      this.logger.error({ msg: 'delete-my-data failed; the transaction was rolled back', userId }, error instanceof Error ? error : undefined);
      return { ok: false, error: 'Your data could not be deleted, and nothing was removed. Please try again later.' };
    }
    // Files and Redis keys go after the commit: a rollback must not have removed them.
    await Promise.all(files.map((file) => this.removeFile(file)));
    await this.deleteRedisKeys(userId);
    return { ok: true, deleted };
  }

  private async eraseRows(em: EntityManager, userId: string): Promise<{ deleted: DeletedCountsDto; files: string[] }> {
    await this.erasure.lockErasure(em, userId);
    if (await this.holds.isHeld(em, userId)) throw new LegalHoldException();
    // Crypto-shredding: the person's data key goes first, in this transaction. From its commit on,
    // every copy of their sealed content (backups, replicas, WAL archives) is unreadable.
    await this.dataKeys.destroy(em, userId);
    const counts: Record<string, number> = { jobs: await this.runs.removeQueuedJobsOfUser(userId) };
    const pseudonymised: Record<string, number> = {};
    const files: string[] = [];
    const pseudonym = this.pseudonyms.of(userId);
    for (const table of this.personalData.tables()) {
      const person = table.person.holds === 'pseudonym' ? pseudonym : userId;
      const { erasure } = table;
      if (erasure.action === 'delete') {
        const key = erasure.countAs ?? table.table;
        if (table.fileColumn) {
          const paths = await this.erasure.deleteRowsWithFiles(em, table.table, table.person.column, person, table.fileColumn);
          counts[key] = paths.length;
          files.push(...paths.flatMap((path) => (path ? [path] : [])));
        } else {
          counts[key] = await this.erasure.deleteRows(em, table.table, table.person.column, person);
        }
      } else if (erasure.action === 'pseudonymise') {
        pseudonymised[table.table] = await this.pseudonymise(em, table, erasure.columns, userId, pseudonym);
      }
    }
    const erasedAt = this.clock.now();
    await this.erasure.markErased(em, userId, erasedAt);
    const deleted = counts as unknown as DeletedCountsDto;
    await this.audit.audit(userId, DataErasureService.AUDIT_ACTION, 'privacy', { deleted, pseudonymised });
    await this.requests.recordErasureCompleted(em, userId);
    // The person's notices went with the rest (the map deletes them); what a person expects after
    // asking for erasure is a confirmation: one notice, "Your data was deleted", on the account's
    // tombstone, in the same transaction (it exists exactly when the erasure committed). It names no
    // data, only the date. Not counted in `deleted`, whose keys are the spec's wire format.
    await this.notifications.notify(userId, { kind: NotificationKind.DELETION_COMPLETED, deletedAt: erasedAt }, em);
    return { deleted, files };
  }

  private pseudonymise(
    em: EntityManager,
    table: PersonalDataTable,
    rules: Extract<PersonalDataTable['erasure'], { action: 'pseudonymise' }>['columns'],
    userId: string,
    pseudonym: string,
  ): Promise<number> {
    const columns = Object.keys(rules);
    return this.erasure.pseudonymiseRows(em, table.table, table.person.column, userId, columns, (row) =>
      Object.fromEntries(columns.map((column) => [column, pseudonymiseColumn(rules[column], row[column], userId, pseudonym)])),
    );
  }

  /** Redis keys declared as naming the person (those that outlive an hour must be declared with `keysOf`). */
  private async deleteRedisKeys(userId: string): Promise<void> {
    const keys = this.personalData.redisKeys().flatMap((declaration) => declaration.keysOf?.(userId) ?? []);
    if (keys.length === 0 || !this.redis) return;
    await this.redis.del(...keys).catch((error: unknown) =>
      this.logger.error({ msg: 'could not delete the erased person\u2019s Redis keys', userId }, error instanceof Error ? error : undefined),
    );
  }

  /** The request is on record as refused, with the reason the person is given; nothing is deleted. */
  private async refuseUnderLegalHold(userId: string): Promise<never> {
    await this.em.transactional(async (em) => {
      await this.requests.recordSelfService(em, userId, DataRequestType.ERASURE, { status: DataRequestStatus.REFUSED, reason: LEGAL_HOLD_REASON });
      await this.audit.audit(userId, 'Erasure refused: legal hold', 'privacy');
    });
    throw new LegalHoldException();
  }

  private async revokeAtX(userId: string): Promise<void> {
    try {
      await this.xConnection.disconnect(userId);
    } catch (error) {
      this.logger.warn({ msg: 'could not revoke X tokens before erasure; they are deleted here anyway', userId }, error instanceof Error ? error : undefined);
    }
  }

  private async removeFile(relativePath: string): Promise<void> {
    await removeExportFile(this.config.dataDir, relativePath).catch((error: unknown) =>
      this.logger.error({ msg: 'could not remove an erased export file' }, error instanceof Error ? error : undefined),
    );
  }
}
