// "Delete my data": erases a person's tweets, analyses, runs and run logs, tokens, support tickets
// and exports in ONE transaction of set-based deletes, so a failure leaves them exactly as before.
// Billing records, subscriptions, consent records (the evidence of lawful processing) and the
// account row are kept; the audit log keeps its (redacted) entries until retention removes them.
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { RunsService } from '../../core/jobs/runs.service';
import { XConnectionService } from '../consent/x-connection.service';
import { removeExportFile } from '../export/export-files';
import { NotificationKind } from '../notifications/entities/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { DataErasureRepository } from './data-erasure.repository';
import { DeletedCountsDto, DeleteMyDataResultDto } from './dto/delete-my-data.dto';

/** Table per count, in deletion order (children before the runs they belong to). */
const ERASED_TABLES = [
  ['logs', 'run_logs'],
  ['workflows', 'workflow_runs'],
  ['support_tickets', 'support_tickets'],
  ['tokens', 'oauth_tokens'],
  ['tweets', 'twitter_data'],
  ['analyses', 'analyses'],
] as const;

@Injectable()
export class DataErasureService {
  /** The audit action the spec names for an erasure. */
  static readonly AUDIT_ACTION = 'User requested full data deletion';
  private readonly logger = new Logger('Privacy');

  constructor(
    private readonly em: EntityManager,
    private readonly erasure: DataErasureRepository,
    private readonly runs: RunsService,
    private readonly xConnection: XConnectionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notifications: NotificationsService,
  ) {}

  async deleteMyData(userId: string): Promise<DeleteMyDataResultDto> {
    // An erasure request withdraws consent too (GDPR Art. 7(3)), so the tokens are revoked at X
    // first, while they can still be decrypted; a failure at X is recorded there, not fatal.
    await this.revokeAtX(userId);
    let exportFiles: string[];
    let deleted: DeletedCountsDto;
    try {
      ({ deleted, exportFiles } = await this.em.transactional((em) => this.eraseRows(em, userId)));
    } catch (error) {
      this.logger.error({ msg: 'delete-my-data failed; the transaction was rolled back', userId }, error instanceof Error ? error : undefined);
      return { ok: false, error: 'Your data could not be deleted, and nothing was removed. Please try again later.' };
    }
    // Files go after the commit: a rollback must not have removed them.
    await Promise.all(exportFiles.map((file) => this.removeExportFile(file)));
    return { ok: true, deleted };
  }

  private async eraseRows(em: EntityManager, userId: string): Promise<{ deleted: DeletedCountsDto; exportFiles: string[] }> {
    await this.erasure.lockErasure(em, userId);
    const jobs = await this.runs.removeQueuedJobsOfUser(userId);
    const counts: Partial<DeletedCountsDto> = { jobs };
    for (const [count, table] of ERASED_TABLES) counts[count] = await this.erasure.deleteRowsOf(em, table, userId);
    const exportFiles = await this.erasure.deleteExports(em, userId);
    counts.dsar_exports = exportFiles.length;
    const erasedAt = this.clock.now();
    await this.erasure.markErased(em, userId, erasedAt);
    const deleted = counts as DeletedCountsDto;
    await this.audit.audit(userId, DataErasureService.AUDIT_ACTION, 'privacy', { deleted });
    await this.replaceNotices(em, userId, erasedAt);
    return { deleted, exportFiles: exportFiles.flatMap((file) => (file ? [file] : [])) };
  }

  /**
   * Notices (issue 21). Earlier notices are the person's data and go with the rest; what a person
   * expects after asking for erasure is a confirmation, so the erasure leaves exactly one notice,
   * "Your data was deleted", on the account's tombstone, written in the same transaction (it
   * exists exactly when the erasure committed). It names no data, only the date and what was kept.
   * Not counted in `deleted`, whose keys are the spec's wire format.
   */
  private async replaceNotices(em: EntityManager, userId: string, erasedAt: Date): Promise<void> {
    await this.erasure.deleteRowsOf(em, 'notifications', userId);
    await this.notifications.notify(userId, { kind: NotificationKind.DELETION_COMPLETED, deletedAt: erasedAt }, em);
  }

  private async revokeAtX(userId: string): Promise<void> {
    try {
      await this.xConnection.disconnect(userId);
    } catch (error) {
      this.logger.warn({ msg: 'could not revoke X tokens before erasure; they are deleted here anyway', userId }, error instanceof Error ? error : undefined);
    }
  }

  private async removeExportFile(relativePath: string): Promise<void> {
    await removeExportFile(this.config.dataDir, relativePath).catch((error: unknown) =>
      this.logger.error({ msg: 'could not remove an erased export file' }, error instanceof Error ? error : undefined),
    );
  }
}
