// The operators' side of the run engine (`/api/admin/runs`): every run of every person and every
// schedule, its log, cancel and retry, the figures an operator looks at first, and the live event
// stream. Each call is audited under the operator's own id (null from the CLI, which has no
// identity but the shell's); the person's id in audit details is masked like everywhere in logs
// (redactForLog).
import { Injectable, MessageEvent, OnModuleDestroy } from '@nestjs/common';
import { Observable, ReplaySubject } from 'rxjs';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../clock/clock';
import { withTimeout } from '../util/with-timeout';
import { AdminRunDetailDto, AdminRunDto, AdminRunsPageDto, RunsSummaryDto, RunsWindowDto } from './dto/admin-run.dto';
import { ListAdminRunsQueryDto } from './dto/list-admin-runs-query.dto';
import { RunLogDto } from './dto/run-log.dto';
import { RunEvent, RunEvents } from './run-events';
import { RunEventsUnavailableException } from './runs.exception';
import { RunsRepository } from './runs.repository';
import { MAX_RUN_LOGS, RunsService } from './runs.service';

export const OPERATOR_AUDIT_CATEGORY = 'operator';
const DEFAULT_PAGE = 20;
const HOUR_MS = 60 * 60_000;
/** Redis must take the subscription within this, or the stream answers 503 at once. */
const SUBSCRIBE_TIMEOUT_MS = 5_000;
/** Keeps proxies from closing an idle stream, and lets the client notice a dead one. */
const STREAM_PING_MS = 20_000;
/**
 * A stream ends after this and the client opens a new one: the bearer token is checked again, so
 * an expired or revoked operator token stops receiving events within this time.
 */
export const STREAM_MAX_MS = 10 * 60_000;

/** Server-Sent Event types of `GET /api/admin/runs/events`. */
export const RUN_STREAM_EVENTS = { ready: 'ready', run: 'run', ping: 'ping' } as const;

@Injectable()
export class AdminRunsService implements OnModuleDestroy {
  private readonly streams = new Set<ReplaySubject<MessageEvent>>();

  constructor(
    private readonly runs: RunsService,
    private readonly repository: RunsRepository,
    private readonly events: RunEvents,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(adminId: string | null, query: ListAdminRunsQueryDto): Promise<AdminRunsPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const before = query.before === undefined ? undefined : await this.runs.findAnyRun(query.before, 'before');
    const filter = { state: query.state, jobName: query.job, userId: query.userId, from: query.from, to: query.to };
    // One row more than asked: whether there is a next page, without a count.
    const rows = await this.repository.listAll(filter, limit + 1, AdminRunDto.FIELDS, before);
    const items = rows.slice(0, limit).map((row) => AdminRunDto.from(row));
    await this.audit.audit(adminId, 'operator.runs.listed', OPERATOR_AUDIT_CATEGORY, {
      state: query.state ?? null,
      job: query.job ?? null,
      userId: query.userId ?? null,
      returned: items.length,
    });
    return { items, next: rows.length > limit ? items[items.length - 1].id : null };
  }

  async get(adminId: string | null, runId: string): Promise<AdminRunDetailDto> {
    const run = await this.runs.findAnyRun(runId);
    await this.audit.audit(adminId, 'operator.run.viewed', OPERATOR_AUDIT_CATEGORY, { runId: run.id, job: run.jobName, userId: run.userId ?? null });
    return AdminRunDetailDto.from(run);
  }

  async logs(adminId: string | null, runId: string): Promise<RunLogDto[]> {
    const run = await this.runs.findAnyRun(runId);
    const logs = await this.repository.listLogs(run.id, MAX_RUN_LOGS);
    await this.audit.audit(adminId, 'operator.run.logs_read', OPERATOR_AUDIT_CATEGORY, { runId: run.id, job: run.jobName, userId: run.userId ?? null });
    return logs.map((log) => RunLogDto.from(log));
  }

  async cancel(adminId: string | null, runId: string): Promise<AdminRunDetailDto> {
    const run = await this.runs.cancelAsOperator(runId);
    await this.audit.audit(adminId, 'operator.run.cancelled', OPERATOR_AUDIT_CATEGORY, { runId: run.id, job: run.jobName, userId: run.userId ?? null });
    return AdminRunDetailDto.from(run);
  }

  async retry(adminId: string | null, runId: string): Promise<AdminRunDetailDto> {
    const run = await this.runs.retryAsOperator(runId);
    await this.audit.audit(adminId, 'operator.run.retried', OPERATOR_AUDIT_CATEGORY, {
      runId: run.id,
      job: run.jobName,
      userId: run.userId ?? null,
      attempt: run.attempts + 1,
    });
    return AdminRunDetailDto.from(run);
  }

  async summary(adminId: string | null): Promise<RunsSummaryDto> {
    const now = this.clock.now();
    // One after another: embedded PGlite serves one query at a time anyway.
    const lastHour = await this.window(new Date(now.getTime() - HOUR_MS));
    const lastDay = await this.window(new Date(now.getTime() - 24 * HOUR_MS));
    const backlog = await this.repository.pendingBacklog();
    await this.audit.audit(adminId, 'operator.runs.summary_read', OPERATOR_AUDIT_CATEGORY);
    return {
      generatedAt: now.toISOString(),
      lastHour,
      lastDay,
      queue: {
        depth: backlog.pending,
        oldestPendingAgeSeconds: backlog.oldestCreatedAt ? Math.max(0, Math.floor((now.getTime() - backlog.oldestCreatedAt.getTime()) / 1000)) : null,
      },
    };
  }

  /**
   * The live stream: a `ready` event once the subscription is in place (changes made after it are
   * all delivered), then a `run` event per state change from any instance, and a `ping` now and
   * then. Ends after STREAM_MAX_MS, at shutdown, or when the client goes away.
   * @throws RunEventsUnavailableException (503) when Redis does not take the subscription.
   */
  async openStream(adminId: string | null): Promise<Observable<MessageEvent>> {
    // Replays what arrives between the subscription and Nest subscribing to the stream.
    const stream = new ReplaySubject<MessageEvent>(1_000);
    let unsubscribe: () => void;
    try {
      unsubscribe = await withTimeout(
        this.events.subscribe((event: RunEvent) => stream.next({ type: RUN_STREAM_EVENTS.run, data: event })),
        SUBSCRIBE_TIMEOUT_MS,
        'the run event subscription was not taken',
      );
    } catch {
      throw new RunEventsUnavailableException();
    }
    try {
      await this.audit.audit(adminId, 'operator.runs.events_opened', OPERATOR_AUDIT_CATEGORY);
    } catch (error) {
      unsubscribe();
      throw error;
    }
    stream.next({ type: RUN_STREAM_EVENTS.ready, data: { at: this.clock.now().toISOString(), endsInMs: STREAM_MAX_MS } });
    const ping = setInterval(() => stream.next({ type: RUN_STREAM_EVENTS.ping, data: { at: this.clock.now().toISOString() } }), STREAM_PING_MS);
    const end = setTimeout(() => stream.complete(), STREAM_MAX_MS);
    ping.unref();
    end.unref();
    this.streams.add(stream);
    const release = () => {
      unsubscribe();
      clearInterval(ping);
      clearTimeout(end);
      this.streams.delete(stream);
    };
    // Both ways a stream can end: completed here (max age, shutdown) or unsubscribed by Nest (client gone).
    stream.subscribe({ complete: release });
    return new Observable<MessageEvent>((subscriber) => {
      const subscription = stream.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        release();
      };
    });
  }

  /** Shutdown: open streams end, so the HTTP server's close does not wait for them. */
  onModuleDestroy(): void {
    for (const stream of [...this.streams]) stream.complete();
  }

  private async window(since: Date): Promise<RunsWindowDto> {
    const counts = await this.repository.countByJobAndState(since);
    const finished = await this.repository.countFinished(since);
    const ended = finished.completed + finished.failed;
    return {
      since: since.toISOString(),
      counts: counts.map(({ jobName, state, count }) => ({ job: jobName, state, count })),
      completed: finished.completed,
      failed: finished.failed,
      failureRate: ended === 0 ? null : Math.round((finished.failed / ended) * 10_000) / 10_000,
    };
  }
}
