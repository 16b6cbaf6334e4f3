import { OptionalField } from '../../../core/http/optional-field';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ToInteger } from '../../../core/http/to-integer';
import { DataRequest, DataRequestStatus, DataRequestType, PrivacyRegime } from '../entities/data-request.entity';

/** The types a person files with a message for a human to act on; access and erasure are self-service. */
export const FILED_REQUEST_TYPES = [DataRequestType.RECTIFICATION, DataRequestType.RESTRICTION, DataRequestType.OBJECTION] as const;
export type FiledRequestType = (typeof FILED_REQUEST_TYPES)[number];

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export class DataRequestDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DataRequestType }) type!: DataRequestType;
  @ApiProperty({ enum: PrivacyRegime }) regime!: PrivacyRegime;
  @ApiProperty({ enum: DataRequestStatus }) status!: DataRequestStatus;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'The legal deadline from receipt' }) dueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The deadline after an extension' }) extendedUntil!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why it was extended, refused or completed as it was' }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'What the person wrote when filing it' }) message!: string | null;

  static from(request: DataRequest): DataRequestDto {
    return {
      id: request.id,
      type: request.type,
      regime: request.regime,
      status: request.status,
      receivedAt: request.receivedAt.toISOString(),
      dueAt: request.dueAt.toISOString(),
      extendedUntil: iso(request.extendedUntil),
      completedAt: iso(request.completedAt),
      reason: request.reason ?? null,
      message: request.message ?? null,
    };
  }
}

/** What operators see: the request and whose it is. */
export class AdminDataRequestDto extends DataRequestDto {
  @ApiProperty() userId!: string;
  @ApiProperty({ description: 'Open and past its deadline in force' }) overdue!: boolean;

  static forAdmin(request: DataRequest, now: Date): AdminDataRequestDto {
    const deadline = request.extendedUntil ?? request.dueAt;
    const open = request.status !== DataRequestStatus.COMPLETED && request.status !== DataRequestStatus.REFUSED;
    return { ...DataRequestDto.from(request), userId: request.userId, overdue: open && deadline.getTime() < now.getTime() };
  }
}

export class FileDataRequestDto {
  @ApiProperty({ enum: FILED_REQUEST_TYPES, description: 'Access and erasure are self-service: use the export and delete-my-data routes' })
  @IsIn(FILED_REQUEST_TYPES, { message: `type must be one of: ${FILED_REQUEST_TYPES.join(', ')}` })
  type!: FiledRequestType;

  @ApiProperty({ minLength: 1, maxLength: 5000, example: 'My display name in the analysis is wrong; please correct it.' })
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  message!: string;

  @ApiPropertyOptional({ enum: PrivacyRegime, description: 'The law you make the request under; the server default (PRIVACY_REGIME) when omitted' })
  @OptionalField()
  @IsEnum(PrivacyRegime, { message: `regime must be one of: ${Object.values(PrivacyRegime).join(', ')}` })
  regime?: PrivacyRegime;
}

export class ListDataRequestsQueryDto {
  @ApiPropertyOptional({ enum: DataRequestStatus })
  @IsOptional()
  @IsEnum(DataRequestStatus, { message: `status must be one of: ${Object.values(DataRequestStatus).join(', ')}` })
  status?: DataRequestStatus;

  @ApiPropertyOptional({ enum: DataRequestType })
  @IsOptional()
  @IsEnum(DataRequestType, { message: `type must be one of: ${Object.values(DataRequestType).join(', ')}` })
  type?: DataRequestType;

  @ApiPropertyOptional({ description: 'Only open requests past their deadline in force' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'Keyset paging: the last id of the previous page' })
  @IsOptional()
  @IsUUID('all', { message: 'before must be a request id' })
  before?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class RequestDecisionDto {
  @ApiProperty({ minLength: 1, maxLength: 1000, description: 'Told to the person', example: 'The request needs records from our payment provider.' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;
}
