import { ApiProperty } from '@nestjs/swagger';
import { RunFlow, RunState, WorkflowRun } from '../entities/workflow-run.entity';
import { JobName } from '../job-payloads';

export class RunErrorDto {
  @ApiProperty({ example: 'RATE_LIMITED' }) code!: string;
  @ApiProperty({ example: 'Rate limit for x reached; retry in 60 s' }) message!: string;
}

/** What a run's response is made of: an entity or a row of the list query. */
export type RunFields = Pick<WorkflowRun, (typeof RunDto.FIELDS)[number]>;

export class RunDto {
  static readonly FIELDS = [
    'id',
    'flow',
    'jobName',
    'state',
    'attempts',
    'maxAttempts',
    'nextAttemptAt',
    'startedAt',
    'finishedAt',
    'result',
    'errorCode',
    'errorMessage',
    'createdAt',
  ] as const;

  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: RunFlow, enumName: 'RunFlow' }) flow!: RunFlow;
  @ApiProperty({ example: JobName.TwitterIngest }) jobName!: string;
  @ApiProperty({ enum: RunState, enumName: 'RunState' }) state!: RunState;
  @ApiProperty({ description: 'Attempts used so far (rate-limit delays do not use one up)' }) attempts!: number;
  @ApiProperty() maxAttempts!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a PENDING run that was delayed or is being retried runs next' })
  nextAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'What the run produced (COMPLETED runs)' })
  result!: Record<string, unknown> | null;
  @ApiProperty({
    type: RunErrorDto,
    nullable: true,
    description: 'The last error (redacted): why a run FAILED, or why a PENDING run is waiting',
  })
  error!: RunErrorDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(run: RunFields): RunDto {
    return {
      id: run.id,
      flow: run.flow,
      jobName: run.jobName,
      state: run.state,
      attempts: run.attempts,
      maxAttempts: run.maxAttempts,
      nextAttemptAt: run.nextAttemptAt?.toISOString() ?? null,
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      result: run.result ?? null,
      error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? '' } : null,
      createdAt: run.createdAt.toISOString(),
    };
  }
}
