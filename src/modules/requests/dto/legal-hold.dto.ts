import { OptionalField } from '../../../core/http/optional-field';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { USER_ID_PATTERN } from '../../../core/auth/authenticated-user';
import { LegalHold } from '../entities/legal-hold.entity';

export class PlaceLegalHoldDto {
  @ApiProperty({ example: 'alice', pattern: USER_ID_PATTERN.source })
  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'userId must be 1-128 of A-Z a-z 0-9 _ . : @ | + -' })
  userId!: string;

  @ApiProperty({ minLength: 1, maxLength: 1000, example: 'Litigation hold, case 2026-CV-1234' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the hold ends by itself; held until lifted when omitted' })
  @OptionalField()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;
}

export class LegalHoldDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() placedBy!: string;
  @ApiProperty({ format: 'date-time' }) placedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) until!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) liftedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) liftedBy!: string | null;
  @ApiProperty({ description: 'Not lifted and not past `until`' }) active!: boolean;

  static from(hold: LegalHold, now: Date): LegalHoldDto {
    return {
      id: hold.id,
      userId: hold.userId,
      reason: hold.reason,
      placedBy: hold.placedBy,
      placedAt: hold.placedAt.toISOString(),
      until: hold.until ? hold.until.toISOString() : null,
      liftedAt: hold.liftedAt ? hold.liftedAt.toISOString() : null,
      liftedBy: hold.liftedBy ?? null,
      active: !hold.liftedAt && (!hold.until || hold.until.getTime() > now.getTime()),
    };
  }
}
