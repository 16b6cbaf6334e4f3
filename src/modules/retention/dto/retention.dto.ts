import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { RETENTION_DAYS, RetentionCategory } from '../retention-policy';

const CATEGORIES = Object.keys(RETENTION_DAYS);

export class RetentionPolicyEntryDto {
  @ApiProperty({ enum: CATEGORIES }) category!: RetentionCategory;
  @ApiProperty({ example: 'run_logs' }) table!: string;
  @ApiProperty({ example: 90 }) days!: number;
}

export class RetentionCategoryResultDto {
  @ApiProperty({ enum: CATEGORIES }) category!: RetentionCategory;
  @ApiProperty() softDeleted!: number;
  @ApiProperty() hardDeleted!: number;
  @ApiPropertyOptional({ description: 'Set when this category failed; the others still ran' }) error?: string;
}

export class RetentionRunResultDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: [RetentionCategoryResultDto] }) categories!: RetentionCategoryResultDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'Export files no live row accounted for: removed, or found on a dry run; null if the sweep failed' })
  orphanedExportFiles!: number | null;
}

export class RetentionRunQueryDto {
  @ApiPropertyOptional({ description: 'Count only, delete nothing', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}
