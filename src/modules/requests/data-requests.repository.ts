import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DataRequest, DataRequestStatus, DataRequestType, OPEN_REQUEST_STATUSES } from './entities/data-request.entity';

export interface DataRequestFilter {
  status?: DataRequestStatus;
  type?: DataRequestType;
  /** Open requests past their (extended) deadline at `now`. */
  overdueAt?: Date;
  /** Keyset: requests received before this one (newest first). */
  before?: { receivedAt: Date; id: string };
  limit: number;
}

/** The deadline in force: the extended one when there is one. */
const DEADLINE_SQL = 'coalesce(extended_until, due_at)';

@Injectable()
export class DataRequestsRepository {
  constructor(private readonly em: EntityManager) {}

  async insert(em: EntityManager, request: DataRequest): Promise<void> {
    await em.insert(DataRequest, request);
  }

  findById(id: string): Promise<DataRequest | null> {
    return this.em.fork().findOne(DataRequest, { id });
  }

  listForUser(userId: string, limit: number): Promise<DataRequest[]> {
    return this.em.fork().find(DataRequest, { userId }, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit });
  }

  async list(filter: DataRequestFilter): Promise<DataRequest[]> {
    const qb = this.em.fork().createQueryBuilder(DataRequest, 'r').select('*');
    if (filter.status) qb.andWhere({ status: filter.status });
    if (filter.type) qb.andWhere({ type: filter.type });
    if (filter.overdueAt) qb.andWhere({ status: { $in: [...OPEN_REQUEST_STATUSES] } }).andWhere(`${DEADLINE_SQL} < ?`, [filter.overdueAt]);
    if (filter.before) qb.andWhere('(r.received_at, r.id) < (?, ?)', [filter.before.receivedAt, filter.before.id]);
    return qb.orderBy({ receivedAt: 'desc', id: 'desc' }).limit(filter.limit).getResultList();
  }

  /** Open requests whose deadline in force falls before `before`: overdue and due soon alike. */
  openDueBefore(before: Date): Promise<Array<Pick<DataRequest, 'id' | 'userId' | 'dueAt' | 'extendedUntil'>>> {
    return this.em
      .fork()
      .createQueryBuilder(DataRequest, 'r')
      .select(['id', 'userId', 'dueAt', 'extendedUntil'])
      .where({ status: { $in: [...OPEN_REQUEST_STATUSES] } })
      .andWhere(`${DEADLINE_SQL} < ?`, [before])
      .getResultList();
  }

  /**
   * Moves a request from an open status to `changes.status`, atomically: of two operators acting at
   * once, one wins and the other sees the request closed. Returns the row after, or null when it
   * was not open (or not in `from`).
   */
  async transition(em: EntityManager, id: string, from: readonly DataRequestStatus[], changes: Partial<DataRequest>): Promise<DataRequest | null> {
    const updated = await em.nativeUpdate(DataRequest, { id, status: { $in: [...from] } }, changes);
    if (updated === 0) return null;
    return em.findOneOrFail(DataRequest, { id }, { refresh: true });
  }

  /** The open access request of an export, if one was recorded. */
  async completeAccessForExport(em: EntityManager, exportId: string, completedAt: Date): Promise<number> {
    return em.nativeUpdate(
      DataRequest,
      { exportId, type: DataRequestType.ACCESS, status: { $in: [...OPEN_REQUEST_STATUSES] } },
      { status: DataRequestStatus.COMPLETED, completedAt },
    );
  }

  async clearMessagesOf(em: EntityManager, userId: string): Promise<number> {
    return em.nativeUpdate(DataRequest, { userId, message: { $ne: null } }, { message: null });
  }

  async closeOpenAccessOf(em: EntityManager, userId: string, completedAt: Date, reason: string): Promise<number> {
    return em.nativeUpdate(
      DataRequest,
      { userId, type: DataRequestType.ACCESS, status: { $in: [...OPEN_REQUEST_STATUSES] } },
      { status: DataRequestStatus.COMPLETED, completedAt, reason },
    );
  }

  /** When the person's newest `limit` filed requests (the types that need a human) since `since` were received, newest first. */
  async filedSince(em: EntityManager, userId: string, types: readonly DataRequestType[], since: Date, limit: number): Promise<Date[]> {
    const rows = await em.execute<{ received_at: Date }[]>(
      'select received_at from data_requests where user_id = ? and type in (?) and received_at > ? order by received_at desc limit ?',
      [userId, [...types], since, limit],
    );
    return rows.map((row) => new Date(row.received_at));
  }

  /** Serialises one person's filings, so the daily cap holds under concurrent requests. */
  async lockUser(em: EntityManager, userId: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`data-requests:${userId}`]);
  }
}
