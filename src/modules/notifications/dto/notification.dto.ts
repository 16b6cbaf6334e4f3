import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Notification, NotificationKind } from '../entities/notification.entity';

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: NotificationKind }) kind!: NotificationKind;
  @ApiProperty({ example: 'Your consent expires in 7 days' }) title!: string;
  @ApiProperty() message!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }], nullable: true },
    description: 'Ids and codes to act on: runId, job and reason (run_failed), exportId (export_ready), expiresAt, days',
    example: { runId: '6f1c2b9e-4a7d-4c8e-9b1a-2d3e4f5a6b7c', job: 'twitter.ingest', reason: 'CONSENT_EXPIRED' },
  })
  data!: Record<string, string | number | null>;
  @ApiProperty({ description: 'Whether the person marked it read' }) read!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) readAt!: string | null;

  static from(notice: Notification): NotificationDto {
    return {
      id: notice.id,
      kind: notice.kind,
      title: notice.title,
      message: notice.message,
      data: notice.data,
      read: notice.readAt !== null && notice.readAt !== undefined,
      createdAt: notice.createdAt.toISOString(),
      readAt: notice.readAt?.toISOString() ?? null,
    };
  }
}
