// What operators see of a run (`/api/admin/runs`): every run, scheduled ones (no user) included.
import { ApiProperty } from '@nestjs/swagger';
import { RunFlow, RunState, WorkflowRun } from '../entities/workflow-run.entity';
import { JobName } from '../job-payloads';
import { RunErrorDto } from './run.dto';

/** What an operator's run item is made of: an entity or a row of the list query. */
export type AdminRunFields = Pick<WorkflowRun, (typeof AdminRunDto.FIELDS)[number]>;

export class AdminRunDto {
  static readonly FIELDS = [
    'id',
    'jobName',
    'userId',
    'state',
    'attempts',
    'createdAt',
    'startedAt',
    'finishedAt',
    'nextAttemptAt',
    'errorCode',
    'errorMessage',
  ] as const;

  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: JobName.TwitterIngest }) job!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The person the run works for; null for scheduled runs' })
  userId!: string | null;
  @ApiProperty({ enum: RunState, enumName: 'RunState' }) state!: RunState;
  @ApiProperty({ description: 'Attempts used so far (rate-limit delays do not use one up)' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a PENDING run that was delayed or is being retried runs next' })
  nextAttemptAt!: string | null;
  @ApiProperty({ type: RunErrorDto, nullable: true, description: 'The last error (redacted)' }) error!: RunErrorDto | null;

  static from(run: AdminRunFields): AdminRunDto {
    return {
      id: run.id,
      job: run.jobName,
      userId: run.userId ?? null,
      state: run.state,
      attempts: run.attempts,
      createdAt: run.createdAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      nextAttemptAt: run.nextAttemptAt?.toISOString() ?? null,
      error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? '' } : null,
    };
  }
}

/** One run in full: the list item plus what only the detail needs. */
export class AdminRunDetailDto extends AdminRunDto {
  @ApiProperty({ enum: RunFlow, enumName: 'RunFlow' }) flow!: RunFlow;
  @ApiProperty({ description: 'Attempts allowed before the run ends FAILED' }) maxAttempts!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'What the run produced (COMPLETED runs)' })
  result!: Record<string, unknown> | null;

  static override from(run: WorkflowRun): AdminRunDetailDto {
    return { ...AdminRunDto.from(run), flow: run.flow, maxAttempts: run.maxAttempts, result: run.result ?? null };
  }
}

export class AdminRunsPageDto {
  @ApiProperty({ type: [AdminRunDto], description: 'Newest first' }) items!: AdminRunDto[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Pass as `before` for the next page; null on the last page' })
  next!: string | null;
}

export class RunCountDto {
  @ApiProperty({ example: JobName.TwitterIngest }) job!: string;
  @ApiProperty({ enum: RunState, enumName: 'RunState' }) state!: RunState;
  @ApiProperty() count!: number;
}

export class RunsWindowDto {
  @ApiProperty({ format: 'date-time', description: 'The window starts here and ends now' }) since!: string;
  @ApiProperty({ type: [RunCountDto], description: 'Runs created in the window, by job and by their state now' }) counts!: RunCountDto[];
  @ApiProperty({ description: 'Runs that ended COMPLETED in the window' }) completed!: number;
  @ApiProperty({ description: 'Runs that ended FAILED in the window' }) failed!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'failed / (completed + failed); null when none ended' })
  failureRate!: number | null;
}

export class RunsQueueDto {
  @ApiProperty({ description: 'Runs PENDING now (waiting, delayed or between retries)' }) depth!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Age in seconds of the oldest PENDING run; null when none is' })
  oldestPendingAgeSeconds!: number | null;
}

export class RunsSummaryDto {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: RunsWindowDto }) lastHour!: RunsWindowDto;
  @ApiProperty({ type: RunsWindowDto }) lastDay!: RunsWindowDto;
  @ApiProperty({ type: RunsQueueDto }) queue!: RunsQueueDto;
}
