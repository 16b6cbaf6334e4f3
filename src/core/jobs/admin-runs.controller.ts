// `/api/admin/runs`: every run, for operators. One-line delegations to AdminRunsService.
import { Controller, Get, HttpCode, MessageEvent, Param, Post, Query, Sse } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { AdminRunsService } from './admin-runs.service';
import { AdminRunDetailDto, AdminRunsPageDto, RunsSummaryDto } from './dto/admin-run.dto';
import { ListAdminRunsQueryDto } from './dto/list-admin-runs-query.dto';
import { RunLogDto } from './dto/run-log.dto';

@ApiTags('admin')
@Controller('api/admin/runs')
@Authenticated({ admin: true })
export class AdminRunsController {
  constructor(private readonly runs: AdminRunsService) {}

  @Get()
  @ApiOkResponse({ type: AdminRunsPageDto, description: 'Every run, scheduled ones included, newest first; page with `before` = `next`' })
  @ApiNotFoundResponse({ description: 'RUN_NOT_FOUND: `before` names no run' })
  list(@CurrentUser() admin: AuthenticatedUser, @Query() query: ListAdminRunsQueryDto): Promise<AdminRunsPageDto> {
    return this.runs.list(admin.id, query);
  }

  // Declared before `:id`, which would otherwise take "summary" and "events" as ids.
  @Get('summary')
  @ApiOkResponse({ type: RunsSummaryDto, description: 'Counts by job and state over the last hour and day, queue depth, oldest pending run, failure rate' })
  summary(@CurrentUser() admin: AuthenticatedUser): Promise<RunsSummaryDto> {
    return this.runs.summary(admin.id);
  }

  @Sse('events')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-Sent Events of run state changes from every instance: `ready` once subscribed, then `run` with ' +
      '`{ runId, job, state, attempts, at }` per change, `ping` every 20 s; the stream ends after 10 minutes (reconnect). ' +
      'Authenticate with the Authorization header (read it with fetch; EventSource cannot send headers), never a query parameter.',
  })
  @ApiServiceUnavailableResponse({ description: 'RUN_EVENTS_UNAVAILABLE: Redis did not take the subscription' })
  events(@CurrentUser() admin: AuthenticatedUser): Promise<Observable<MessageEvent>> {
    return this.runs.openStream(admin.id);
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AdminRunDetailDto })
  @ApiNotFoundResponse({ description: 'RUN_NOT_FOUND: no run has this id' })
  get(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string): Promise<AdminRunDetailDto> {
    return this.runs.get(admin.id, id);
  }

  @Get(':id/logs')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: [RunLogDto], description: 'The run log (redacted), oldest first' })
  @ApiNotFoundResponse({ description: 'RUN_NOT_FOUND: no run has this id' })
  logs(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string): Promise<RunLogDto[]> {
    return this.runs.logs(admin.id, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AdminRunDetailDto, description: 'The run, now CANCELLED; nothing it had not stored yet will be stored' })
  @ApiNotFoundResponse({ description: 'RUN_NOT_FOUND: no run has this id' })
  @ApiConflictResponse({ description: 'RUN_NOT_CANCELLABLE: the run already ended (COMPLETED, FAILED or CANCELLED)' })
  cancel(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string): Promise<AdminRunDetailDto> {
    return this.runs.cancel(admin.id, id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AdminRunDetailDto, description: 'The run, PENDING again with one more attempt' })
  @ApiNotFoundResponse({ description: 'RUN_NOT_FOUND: no run has this id' })
  @ApiConflictResponse({ description: 'RUN_NOT_RETRYABLE: the run is PENDING, RUNNING or COMPLETED' })
  @ApiServiceUnavailableResponse({ description: 'RUNS_QUEUE_UNAVAILABLE: the run could not be queued' })
  retry(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string): Promise<AdminRunDetailDto> {
    return this.runs.retry(admin.id, id);
  }
}
