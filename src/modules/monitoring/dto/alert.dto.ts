import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AlertKind } from '../checks/alert-condition';
import type { AlertSeverity, AlertStatus } from '../checks/alert-condition';
import { Alert } from '../entities/alert.entity';

export class AlertDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: AlertKind, example: AlertKind.RATE_LIMIT_VIOLATIONS }) kind!: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'] }) severity!: AlertSeverity;
  @ApiProperty({ description: 'A user id masked to its last 4 characters, or the system part', example: '****a1b2' }) subject!: string;
  @ApiProperty({ enum: ['open', 'resolved'] }) status!: AlertStatus;
  @ApiProperty({ example: '14 outbound rate-limit rejections in the last 1 h (threshold 10)' }) message!: string;
  @ApiProperty({ description: 'How many checks found the condition while the alert was open' }) count!: number;
  @ApiProperty({ format: 'date-time' }) firstSeenAt!: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) resolvedAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'When a channel first delivered its trigger' }) notifiedAt!: string | null;

  static from(alert: Alert): AlertDto {
    return {
      id: alert.id,
      kind: alert.kind,
      severity: alert.severity,
      subject: alert.subject,
      status: alert.status,
      message: alert.message,
      count: alert.count,
      firstSeenAt: alert.firstSeenAt.toISOString(),
      lastSeenAt: alert.lastSeenAt.toISOString(),
      resolvedAt: alert.resolvedAt?.toISOString() ?? null,
      notifiedAt: alert.notifiedAt?.toISOString() ?? null,
    };
  }
}
