import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInteger } from '../../../core/http/to-integer';
import { DEFAULT_NOTIFICATION_LIST_LIMIT, MAX_NOTIFICATION_LIST_LIMIT } from '../notifications.service';

export class ListNotificationsQueryDto {
  @ApiPropertyOptional({ type: 'boolean', description: 'Only notices not marked read (default: all)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_NOTIFICATION_LIST_LIMIT, default: DEFAULT_NOTIFICATION_LIST_LIMIT })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_NOTIFICATION_LIST_LIMIT)
  limit?: number;
}
