import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AuditEntry } from '../audit-entry.entity';

export class AuditEntryDto {
  @ApiProperty() id!: string;
  @ApiProperty() action!: string;
  @ApiProperty() category!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(entry: AuditEntry): AuditEntryDto {
    return {
      id: String(entry.id),
      action: entry.action,
      category: entry.category,
      details: entry.details,
      createdAt: entry.createdAt.toISOString(),
    };
  }
}

export class AuditChainReportDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Entries checked before the first break (all of them when valid)' }) checked!: number;
  @ApiPropertyOptional({ type: 'object', properties: { id: { type: 'string' }, reason: { type: 'string' } } })
  brokenAt?: { id: string; reason: 'hash_mismatch' | 'link_mismatch' };
}
