import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_RUNS_PAGE } from '../runs.service';
import { ToInteger } from '../../http/to-integer';

export class ListRunsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_RUNS_PAGE, default: 20 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_RUNS_PAGE)
  limit?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only runs older than this one of yours: the last id of the previous page' })
  @IsOptional()
  @IsUUID()
  before?: string;
}
