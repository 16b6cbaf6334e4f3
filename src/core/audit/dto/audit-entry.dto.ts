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
  brokenAt?: { id: string; reason: 'hash_mismatch' | 'link_mismatch' | 'unkeyed_after_keyed' };
  @ApiProperty({
    nullable: true,
    type: 'object',
    properties: { id: { type: 'string' }, hash: { type: 'string' }, recordedAt: { type: 'string' }, matches: { type: 'boolean' } },
    description: 'The chain head recorded outside the database at the last retention run; matches is false when the chain no longer has it',
  })
  recordedHead!: { id: string; hash: string; recordedAt: string; matches: boolean } | null;
}
