// Data subject requests from receipt to answer, with their legal deadlines. Self-service requests
// (export = access, delete-my-data = erasure) are recorded by the routes that serve them; the
// types that need a human (rectification, restriction, objection) are filed by the person and
// answered by an operator, who may extend the deadline once, complete or refuse, with a reason.
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { isUuid } from '../../core/util/is-uuid';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { dailyLimitRetryAfterSeconds, dayWindowStart } from '../../core/util/daily-limit';
import { NotificationKind } from '../notifications/entities/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { DataRequestsRepository } from './data-requests.repository';
import {
  DataRequestAlreadyExtendedException,
  DataRequestClosedException,
  DataRequestDailyLimitException,
  DataRequestExtensionTooLateException,
  DataRequestNotFoundException,
} from './data-requests.exception';
import { AdminDataRequestDto, DataRequestDto, FILED_REQUEST_TYPES, FileDataRequestDto, ListDataRequestsQueryDto } from './dto/data-request.dto';
import { DataRequest, DataRequestStatus, DataRequestType, OPEN_REQUEST_STATUSES, PrivacyRegime } from './entities/data-request.entity';
import { dueDate, extendedDueDate } from './request-deadlines';

const AUDIT_CATEGORY = 'data_requests';
const OWN_LIST_LIMIT = 100;
const DEFAULT_ADMIN_LIMIT = 50;
/** Filed requests per person per rolling day: each one is work for a person on the privacy team. */
export const FILED_REQUESTS_PER_DAY = 10;

export interface SelfServiceOutcome {
  status: DataRequestStatus.IN_PROGRESS | DataRequestStatus.COMPLETED | DataRequestStatus.REFUSED;
  reason?: string;
  exportId?: string;
}

/** What an operator decided, for the notice the person gets. */
export interface RequestDecision {
  request: DataRequest;
  action: 'extended' | 'completed' | 'refused';
}

@Injectable()
export class DataRequestsService {
  constructor(
    private readonly em: EntityManager,
    private readonly requests: DataRequestsRepository,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'privacyRegime'>,
  ) {}

  /** Records a request a route serves by itself, in the caller's transaction. */
  async recordSelfService(em: EntityManager, userId: string, type: DataRequestType.ACCESS | DataRequestType.ERASURE, outcome: SelfServiceOutcome): Promise<DataRequest> {
    const now = this.clock.now();
    const request = this.newRequest(userId, type, this.defaultRegime(), now);
    request.status = outcome.status;
    request.reason = outcome.reason ?? null;
    request.exportId = outcome.exportId ?? null;
    if (outcome.status !== DataRequestStatus.IN_PROGRESS) request.completedAt = now;
    await this.requests.insert(em, request);
    return request;
  }

  /**
   * A completed erasure, on record, and the person's own words removed from their earlier
   * requests. Access requests still waiting for their export are closed with
   * it: their export was erased too, and the person asked for everything to go.
   */
  async recordErasureCompleted(em: EntityManager, userId: string): Promise<void> {
    const request = await this.recordSelfService(em, userId, DataRequestType.ERASURE, { status: DataRequestStatus.COMPLETED });
    // The records stay (that a request was made and answered, and when); what the person wrote in
    // them is their data and goes with the rest.
    await this.requests.clearMessagesOf(em, userId);
    await this.requests.closeOpenAccessOf(em, userId, request.completedAt!, 'Withdrawn: the person erased their data before the export was ready');
  }

  /** The access request of an export is answered when the file is ready. */
  async completeAccess(em: EntityManager, exportId: string): Promise<void> {
    await this.requests.completeAccessForExport(em, exportId, this.clock.now());
  }

  async file(userId: string, dto: FileDataRequestDto): Promise<DataRequestDto> {
    const now = this.clock.now();
    const request = this.newRequest(userId, dto.type, dto.regime ?? this.defaultRegime(), now);
    request.message = dto.message;
    await this.em.transactional(async (em) => {
      await this.requests.lockUser(em, userId);
      const recent = await this.requests.filedSince(em, userId, FILED_REQUEST_TYPES, dayWindowStart(now), FILED_REQUESTS_PER_DAY);
      const retryAfter = dailyLimitRetryAfterSeconds(recent, FILED_REQUESTS_PER_DAY, now);
      if (retryAfter !== null) throw new DataRequestDailyLimitException(FILED_REQUESTS_PER_DAY, retryAfter);
      await this.requests.insert(em, request);
      await this.audit.audit(userId, 'Data subject request received', AUDIT_CATEGORY, { requestId: request.id, type: request.type, regime: request.regime });
    });
    return DataRequestDto.from(request);
  }

  async listOwn(userId: string): Promise<DataRequestDto[]> {
    return (await this.requests.listForUser(userId, OWN_LIST_LIMIT)).map((request) => DataRequestDto.from(request));
  }

  async list(query: ListDataRequestsQueryDto): Promise<AdminDataRequestDto[]> {
    const now = this.clock.now();
    const cursor = query.before ? await this.findOrFail(query.before) : undefined;
    const rows = await this.requests.list({
      status: query.status,
      type: query.type,
      overdueAt: query.overdue ? now : undefined,
      before: cursor ? { receivedAt: cursor.receivedAt, id: cursor.id } : undefined,
      limit: query.limit ?? DEFAULT_ADMIN_LIMIT,
    });
    return rows.map((request) => AdminDataRequestDto.forAdmin(request, now));
  }

  /** One extension, given before the original deadline, to the regime's longest period. */
  async extend(adminId: string, id: string, reason: string): Promise<RequestDecision> {
    const request = await this.findOrFail(id);
    const now = this.clock.now();
    if (request.status === DataRequestStatus.EXTENDED) throw new DataRequestAlreadyExtendedException();
    this.assertOpen(request);
    if (request.dueAt.getTime() < now.getTime()) throw new DataRequestExtensionTooLateException();
    const extendedUntil = extendedDueDate(request.regime, request.dueAt);
    return this.decide(adminId, request, 'extended', [DataRequestStatus.RECEIVED, DataRequestStatus.IN_PROGRESS], {
      status: DataRequestStatus.EXTENDED,
      extendedUntil,
      reason,
    });
  }

  complete(adminId: string, id: string, reason: string): Promise<RequestDecision> {
    return this.close(adminId, id, 'completed', DataRequestStatus.COMPLETED, reason);
  }

  refuse(adminId: string, id: string, reason: string): Promise<RequestDecision> {
    return this.close(adminId, id, 'refused', DataRequestStatus.REFUSED, reason);
  }

  /** Open requests whose deadline in force is before `until` (overdue ones included). */
  openDueBefore(until: Date) {
    return this.requests.openDueBefore(until);
  }

  private async close(adminId: string, id: string, action: 'completed' | 'refused', status: DataRequestStatus, reason: string): Promise<RequestDecision> {
    const request = await this.findOrFail(id);
    this.assertOpen(request);
    return this.decide(adminId, request, action, OPEN_REQUEST_STATUSES, { status, reason, completedAt: this.clock.now() });
  }

  private async decide(
    adminId: string,
    request: DataRequest,
    action: RequestDecision['action'],
    from: readonly DataRequestStatus[],
    changes: Partial<DataRequest>,
  ): Promise<RequestDecision> {
    const updated = await this.em.transactional(async (em) => {
      const row = await this.requests.transition(em, request.id, from, changes);
      // Another operator (or this one, twice) got there first: say what they did.
      if (!row) throw await this.conflictWith(request.id);
      await this.audit.audit(request.userId, `Data subject request ${action}`, AUDIT_CATEGORY, {
        requestId: request.id,
        by: adminId,
        ...(changes.extendedUntil ? { extendedUntil: changes.extendedUntil.toISOString() } : {}),
      });
      // The person is told, with the reason (GDPR Art. 12(3)-(4)), in the same transaction.
      await this.notifications.notify(
        request.userId,
        { kind: NotificationKind.REQUEST_ANSWERED, requestId: request.id, requestType: request.type, action, reason: row.reason ?? '', extendedUntil: row.extendedUntil ?? undefined },
        em,
      );
      return row;
    });
    return { request: updated, action };
  }

  private async conflictWith(id: string): Promise<Error> {
    const current = await this.findOrFail(id);
    return current.status === DataRequestStatus.EXTENDED ? new DataRequestAlreadyExtendedException() : new DataRequestClosedException(current.status);
  }

  private assertOpen(request: DataRequest): void {
    if (!OPEN_REQUEST_STATUSES.includes(request.status)) throw new DataRequestClosedException(request.status);
  }

  private async findOrFail(id: string): Promise<DataRequest> {
    const request = isUuid(id) ? await this.requests.findById(id) : null;
    if (!request) throw new DataRequestNotFoundException();
    return request;
  }

  private newRequest(userId: string, type: DataRequestType, regime: PrivacyRegime, receivedAt: Date): DataRequest {
    // Not `em.create`, which would also persist it on the next flush of this context.
    return Object.assign(new DataRequest(), { userId, type, regime, receivedAt, dueAt: dueDate(regime, receivedAt) });
  }

  private defaultRegime(): PrivacyRegime {
    return this.config.privacyRegime === 'ccpa' ? PrivacyRegime.CCPA : PrivacyRegime.GDPR;
  }
}
