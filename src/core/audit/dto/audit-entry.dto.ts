import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AuditEntry } from '../audit-entry.entity';
import type { AuditBreakReason } from '../audit.service';

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

class AuditBreakDto {
  @ApiProperty({ description: 'The batch at which verification fails' }) batchId!: string;
  @ApiProperty({ description: 'First entry id of its range' }) firstSeq!: string;
  @ApiProperty({ description: 'Last entry id of its range' }) lastSeq!: string;
  @ApiProperty({ enum: ['root_mismatch', 'batch_hash_mismatch', 'link_mismatch', 'range_gap', 'entries_before_first_batch'] })
  reason!: AuditBreakReason;
}

class AuditPrunedDto {
  @ApiProperty({ description: 'Leading batches whose entries retention removed (links checked, roots not checkable)' }) batches!: number;
  @ApiProperty({ type: String, nullable: true }) throughBatchId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) throughSealedAt!: string | null;
}

class AuditUnsealedDto {
  @ApiProperty({ description: 'Entries appended since the last seal (not protected until sealed)' }) count!: number;
  @ApiProperty({ type: String, nullable: true }) oldestId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) oldestCreatedAt!: string | null;
}

class RecordedAuditHeadDto {
  @ApiProperty({ description: 'Id of the newest sealed batch when recorded' }) id!: string;
  @ApiProperty({ description: 'Its chained hash' }) hash!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ description: 'False when the batches no longer have this head' }) matches!: boolean;
}

export class AuditChainReportDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Sealed entries checked against their batch roots' }) checked!: number;
  @ApiProperty({ description: 'Sealed batches checked (links and chained hashes)' }) batches!: number;
  @ApiPropertyOptional({ type: AuditBreakDto }) brokenAt?: AuditBreakDto;
  @ApiProperty({ type: AuditPrunedDto }) pruned!: AuditPrunedDto;
  @ApiProperty({ type: AuditUnsealedDto }) unsealed!: AuditUnsealedDto;
  @ApiProperty({
    type: RecordedAuditHeadDto,
    nullable: true,
    description: 'The head recorded outside the database (after each seal and at each retention run); matches is false when the batches no longer have it',
  })
  recordedHead!: RecordedAuditHeadDto | null;
}

class AuditBatchDto {
  @ApiProperty() id!: string;
  @ApiProperty() firstSeq!: string;
  @ApiProperty() lastSeq!: string;
  @ApiProperty() size!: number;
  @ApiProperty({ description: 'Hex Merkle root over the batch\'s leaf hashes' }) root!: string;
  @ApiProperty({ description: 'Chained hash of the batch before (64 zeros for the first)' }) prevHash!: string;
  @ApiProperty({ description: 'HMAC-SHA256 under AUDIT_KEY over the batch and prevHash: its place in the chain' }) chainedHash!: string;
  @ApiProperty({ format: 'date-time' }) sealedAt!: string;
}

export class AuditInclusionProofDto {
  @ApiProperty() entryId!: string;
  @ApiProperty({ description: 'Position of the entry among its batch\'s leaves, from 0' }) leafIndex!: number;
  @ApiProperty({ description: 'Leaves in the batch' }) treeSize!: number;
  @ApiProperty({ description: 'Hex HMAC-SHA256 under AUDIT_KEY of 0x00 and the entry' }) leafHash!: string;
  @ApiProperty({ type: [String], description: 'Hex sibling hashes from the leaf to the root (RFC 9162 section 2.1.3)' }) auditPath!: string[];
  @ApiProperty({ description: 'Hex root to check the path against' }) root!: string;
  @ApiProperty({ type: AuditBatchDto }) batch!: AuditBatchDto;
}
