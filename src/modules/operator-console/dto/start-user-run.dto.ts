import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { JobName } from '../../../core/jobs/job-payloads';

/** The flows an operator can start for a person: the ones the person can start themselves. */
export const OPERATOR_STARTABLE_JOBS = [JobName.TwitterIngest, JobName.AnalysisSentiment, JobName.ExportBuild] as const;
export type OperatorStartableJob = (typeof OPERATOR_STARTABLE_JOBS)[number];

export class StartUserRunDto {
  @ApiProperty({ enum: OPERATOR_STARTABLE_JOBS, example: JobName.TwitterIngest })
  @IsIn(OPERATOR_STARTABLE_JOBS)
  job!: OperatorStartableJob;
}

export class UserRunStartedDto {
  @ApiProperty({ format: 'uuid', description: 'The run started, or the one already under way (one ingestion or export at a time)' })
  runId!: string;
}
