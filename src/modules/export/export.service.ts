// GDPR Art. 20 / CCPA export: requested as a run, built into a file under DATA_DIR, downloaded
// through a signed link valid for 24 hours.
import { dailyLimitRetryAfterSeconds, dayWindowStart } from '../../core/util/daily-limit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { mkdir, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DataKeys } from '../../core/crypto/data-keys';
import { openExportFile } from './export-file-cipher';
import { join } from 'node:path';
import { NotificationKind } from '../notifications/entities/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { RunFlow } from '../../core/jobs/entities/workflow-run.entity';
import { PermanentJobError } from '../../core/jobs/job-errors';
import { JobName } from '../../core/jobs/job-payloads';
import { OnRun } from '../../core/jobs/on-run.decorator';
import { RunContext } from '../../core/jobs/run-context';
import { RunsService } from '../../core/jobs/runs.service';
import { DataRequestsService } from '../requests/data-requests.service';
import { DataRequestStatus, DataRequestType } from '../requests/entities/data-request.entity';
import { ExportStatusDto, ExportStartedDto } from './dto/export.dto';
import { DataExport } from './entities/data-export.entity';
import { ExportBuilder } from './export-builder';
import { EXPORTS_DIR, removeExportFile } from './export-files';
import { ExportRepository } from './export.repository';
import { ExportSigner } from './export-signer';
import { ExportDailyLimitException, ExportLinkExpiredException, ExportLinkInvalidException, ExportNotFoundException } from './export.exception';
import { isUuid } from '../../core/util/is-uuid';

export const EXPORT_LINK_VALIDITY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class ExportService {
  constructor(
    private readonly em: EntityManager,
    private readonly dataKeys: DataKeys,
    private readonly exports: ExportRepository,
    private readonly runs: RunsService,
    private readonly builder: ExportBuilder,
    private readonly signer: ExportSigner,
    private readonly audit: AuditService,
    private readonly requests: DataRequestsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Starts an export, or answers the one in progress: each export is a full copy of the person's
   * data kept for 30 days, so one person cannot queue many. Decided under a per-user advisory
   * lock, so two requests at once start one export.
   */
  async requestExport(userId: string): Promise<ExportStartedDto> {
    const now = this.clock.now();
    const outcome = await this.em.transactional(async (em) => {
      await this.exports.lockUserExports(em, userId);
      const inProgress = await this.exports.findInProgress(em, userId);
      if (inProgress) return { started: false as const, ...inProgress };
      await this.assertUnderDailyLimit(em, userId, now);
      // Created only now: `em.create` persists on the next flush, refused requests included.
      const dataExport = em.create(DataExport, { userId, createdAt: now });
      const created = await this.runs.createRun(RunFlow.EXPORT, JobName.ExportBuild, userId, { userId, exportId: dataExport.id });
      dataExport.runId = created.id;
      await em.flush();
      await this.audit.audit(userId, 'Data export requested', 'dsar_exports', { exportId: dataExport.id });
      // The access request (GDPR Art. 15) is on record until its export is ready.
      await this.requests.recordSelfService(em, userId, DataRequestType.ACCESS, { status: DataRequestStatus.IN_PROGRESS, exportId: dataExport.id });
      return { started: true as const, runId: created.id, exportId: dataExport.id };
    });
    if (outcome.started) await this.runs.enqueueRun(outcome.runId);
    return { runId: outcome.runId, exportId: outcome.exportId };
  }

  /** Counts exports started in the last 24 hours, deleted ones too (deleting one frees no slot). */
  private async assertUnderDailyLimit(em: EntityManager, userId: string, now: Date): Promise<void> {
    const limit = this.config.dailyLimits.exports;
    const started = await this.exports.startedSince(em, userId, dayWindowStart(now), limit);
    const retryAfter = dailyLimitRetryAfterSeconds(started, limit, now);
    if (retryAfter !== null) throw new ExportDailyLimitException(limit, retryAfter);
  }

  async getStatus(userId: string, exportId: string): Promise<ExportStatusDto> {
    const dataExport = await this.findOwn(userId, exportId);
    const ready = dataExport.status === 'ready' && dataExport.expiresAt;
    return {
      status: dataExport.status,
      url: ready ? this.signer.downloadUrl(dataExport.id, dataExport.expiresAt as Date) : null,
      expiresAt: dataExport.expiresAt?.toISOString() ?? null,
    };
  }

  /** Checks a signed link and returns the file's plain document, decrypted as it streams. */
  async openDownload(exportId: string, expires: string | undefined, signature: string | undefined): Promise<{ stream: Readable; filename: string }> {
    if (!isUuid(exportId)) throw new ExportLinkInvalidException();
    const check = this.signer.check(exportId, expires, signature, this.clock.nowMs());
    if (check === 'tampered') throw new ExportLinkInvalidException();
    if (check === 'expired') throw new ExportLinkExpiredException();
    const dataExport = await this.exports.findReady(exportId);
    if (!dataExport?.filePath) throw new ExportNotFoundException();
    const path = join(this.config.dataDir, dataExport.filePath);
    const key = await this.dataKeys.forRead(dataExport.userId, [], { fresh: true });
    if (!key || !(await stat(path).then((file) => file.isFile(), () => false))) throw new ExportNotFoundException();
    await this.audit.audit(dataExport.userId, 'Data export downloaded', 'dsar_exports', { exportId });
    return { stream: openExportFile(path, key), filename: `repazoo-export-${exportId}.json` };
  }

  @OnRun(JobName.ExportBuild)
  async buildExport(context: RunContext<JobName.ExportBuild>): Promise<Record<string, unknown>> {
    const { userId, exportId } = context.payload;
    const dataExport = await this.exports.findForUser(userId, exportId);
    if (!dataExport) return { skipped: 'export no longer exists' }; // erased meanwhile
    const relativePath = join(EXPORTS_DIR, `${exportId}.json`);
    await mkdir(join(this.config.dataDir, EXPORTS_DIR), { recursive: true, mode: 0o700 });
    const now = this.clock.now();
    const size = await this.builder.build(userId, join(this.config.dataDir, relativePath), now);
    try {
      await context.storeResults(async (em) => {
        const expiresAt = new Date(now.getTime() + EXPORT_LINK_VALIDITY_MS);
        const marked = await this.exports.markReady(em, exportId, { filePath: relativePath, sizeBytes: String(size), completedAt: now, expiresAt });
        if (!marked) throw new PermanentJobError('EXPORT_DELETED', 'The export was deleted while it was being built');
        await this.audit.audit(userId, 'Data export ready', 'dsar_exports', { exportId, sizeBytes: size });
        await this.requests.completeAccess(em, exportId);
        // In the same transaction: the notice exists exactly when the export is ready.
        await this.notifications.notify(userId, { kind: NotificationKind.EXPORT_READY, exportId, expiresAt }, em);
      });
    } catch (error) {
      // Erased (or cancelled) while the file was written: the file, a copy of the person's data,
      // must not outlive its row, which was the only way to find and remove it.
      await removeExportFile(this.config.dataDir, relativePath);
      throw error;
    }
    await context.log('info', `export written (${size} bytes)`);
    return { exportId, sizeBytes: size };
  }

  private async findOwn(userId: string, exportId: string): Promise<DataExport> {
    if (!isUuid(exportId)) throw new ExportNotFoundException();
    const dataExport = await this.exports.findForUser(userId, exportId);
    if (!dataExport) throw new ExportNotFoundException();
    return dataExport;
  }
}
