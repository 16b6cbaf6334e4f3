import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators';
import { RunState } from '../jobs/entities/workflow-run.entity';
import { JobName } from '../jobs/job-payloads';
import { ScheduledJobInfo, ScheduledJobsService } from './scheduled-jobs.service';

class ScheduledJobLastRunDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ enum: RunState }) state!: RunState;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) finishedAt!: string | null;
}

class ScheduledJobDto implements Omit<ScheduledJobInfo, 'name'> {
  @ApiProperty({ example: JobName.RetentionCleanupDaily }) name!: string;
  @ApiPropertyOptional({ example: '0 3 * * *', nullable: true }) cron!: string | null;
  @ApiProperty({ example: 'UTC' }) timeZone!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) nextRunAt!: string | null;
  @ApiPropertyOptional({ type: ScheduledJobLastRunDto, nullable: true }) lastRun!: ScheduledJobLastRunDto | null;
}

class RunStartedDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
}

@ApiTags('admin')
@Controller('api/admin/jobs')
@Authenticated({ admin: true })
export class ScheduledJobsController {
  constructor(private readonly jobs: ScheduledJobsService) {}

  @Get()
  @ApiOkResponse({ type: [ScheduledJobDto] })
  list(): Promise<ScheduledJobDto[]> {
    return this.jobs.list();
  }

  @Post(':name/run')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RunStartedDto })
  @ApiNotFoundResponse({ description: 'No scheduled job has that name' })
  run(@Param('name') name: string): Promise<RunStartedDto> {
    return this.jobs.runNow(name);
  }
}
