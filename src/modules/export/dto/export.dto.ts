import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ExportStartedDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ format: 'uuid' }) exportId!: string;
}

export class ExportStatusDto {
  @ApiProperty({ enum: ['pending', 'ready', 'failed'] }) status!: 'pending' | 'ready' | 'failed';
  @ApiPropertyOptional({ nullable: true, description: 'Signed download link, valid until expiresAt' }) url!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) expiresAt!: string | null;
}

export class DownloadQueryDto {
  @ApiPropertyOptional({ maxLength: 20 }) @IsOptional() @IsString() @MaxLength(20) expires?: string;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) signature?: string;
}
