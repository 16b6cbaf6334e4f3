import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { ToInteger } from '../../../core/http/to-integer';

export const MAX_ANALYSES_PAGE = 100;

export class ListAnalysesQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ANALYSES_PAGE, default: 20 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_ANALYSES_PAGE)
  limit?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only analyses older than this one of yours: the last id of the previous page' })
  @IsOptional()
  @IsUUID()
  before?: string;
}
