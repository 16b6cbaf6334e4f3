import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DEFAULT_ALERT_LIST_LIMIT, MAX_ALERT_LIST_LIMIT } from '../alerts.service';
import type { AlertStatus } from '../checks/alert-condition';
import { ToInteger } from '../../../core/http/to-integer';

export const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'resolved'];

export class ListAlertsQueryDto {
  @ApiPropertyOptional({ enum: ALERT_STATUSES, description: 'Only open or only resolved alerts (default: both)' })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ALERT_LIST_LIMIT, default: DEFAULT_ALERT_LIST_LIMIT })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_ALERT_LIST_LIMIT)
  limit?: number;
}
