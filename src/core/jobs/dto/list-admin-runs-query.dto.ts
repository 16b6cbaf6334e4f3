import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsEnum, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxDate, MaxLength, Min, MinDate } from 'class-validator';
import { ToInteger } from '../../http/to-integer';
import { RunState } from '../entities/workflow-run.entity';
import { JobName } from '../job-payloads';
import { MAX_RUNS_PAGE } from '../runs.service';

/** The span PostgreSQL and JavaScript dates share, and then some: outside it a filter is a typo. */
const EARLIEST = new Date('1970-01-01T00:00:00Z');
const LATEST = new Date('9999-12-31T23:59:59Z');
/** An ISO 8601 date-time with a zone (`Z` or an offset); anchored, no nested quantifiers: linear. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const dateMessage = (field: string) => `${field} must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T00:00:00Z`;

/** Query text to a Date only when it is an ISO 8601 date-time; anything else fails `@IsDate` with a 400. */
const ToDate = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string' || value.length > 40 || !ISO_DATE_TIME.test(value)) return value;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date;
  });

export class ListAdminRunsQueryDto {
  @ApiPropertyOptional({ enum: RunState, enumName: 'RunState' })
  @IsOptional()
  @IsEnum(RunState)
  state?: RunState;

  @ApiPropertyOptional({ enum: JobName, enumName: 'JobName' })
  @IsOptional()
  @IsEnum(JobName)
  job?: JobName;

  @ApiPropertyOptional({ maxLength: 255, description: "A person's id (the token subject): only their runs" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  userId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only runs created at or after this instant' })
  @IsOptional()
  @ToDate()
  @IsDate({ message: dateMessage('from') })
  @MinDate(EARLIEST)
  @MaxDate(LATEST)
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only runs created before this instant' })
  @IsOptional()
  @ToDate()
  @IsDate({ message: dateMessage('to') })
  @MinDate(EARLIEST)
  @MaxDate(LATEST)
  to?: Date;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_RUNS_PAGE, default: 20 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_RUNS_PAGE)
  limit?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only runs older than this one: the `next` of the previous page' })
  @IsOptional()
  @IsUUID()
  before?: string;
}
