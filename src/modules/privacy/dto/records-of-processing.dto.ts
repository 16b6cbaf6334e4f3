import { ApiProperty } from '@nestjs/swagger';
import { RETENTION_CATEGORY_NAMES, RetentionCategory } from '../../../core/personal-data';

export class RetentionPeriodDto {
  @ApiProperty({ enum: RETENTION_CATEGORY_NAMES }) category!: RetentionCategory;
  @ApiProperty({ example: 90 }) days!: number;
  @ApiProperty({ example: 'Operational run logs' }) description!: string;
}

export class ProcessingActivityDto {
  @ApiProperty({ example: 'run_logs' }) table!: string;
  @ApiProperty({ example: 'user_id', description: 'The column naming the data subject' }) personColumn!: string;
  @ApiProperty({ enum: ['user-id', 'pseudonym'], description: 'Whether that column holds the user id or its keyed hash' })
  personHolds!: 'user-id' | 'pseudonym';
  @ApiProperty({ description: 'Category of personal data' }) dataCategory!: string;
  @ApiProperty() purpose!: string;
  @ApiProperty({ example: 'Art. 6(1)(b) contract', description: 'GDPR Art. 6(1) basis' }) legalBasis!: string;
  @ApiProperty({ type: [String], example: ['Anthropic'] }) recipients!: string[];
  @ApiProperty({ type: [String] }) safeguards!: string[];
  @ApiProperty({ type: [RetentionPeriodDto], description: 'Periods after which rows expire; empty when kept' }) retention!: RetentionPeriodDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Why rows are not expired by age' }) retentionKept!: string | null;
  @ApiProperty({ enum: ['delete', 'pseudonymise', 'keep'], description: 'What delete-my-data does to these rows' })
  erasure!: 'delete' | 'pseudonymise' | 'keep';
  @ApiProperty({ type: String, nullable: true, description: 'Why the rows outlive the erasure' }) erasureReason!: string | null;
  @ApiProperty({ type: [String] }) pseudonymisedColumns!: string[];
  @ApiProperty({ example: 'runLogs', description: 'Key of the export document holding these rows' }) exportKey!: string;
}

export class RedisKeyActivityDto {
  @ApiProperty() pattern!: string;
  @ApiProperty() dataCategory!: string;
  @ApiProperty() purpose!: string;
  @ApiProperty() legalBasis!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Longest the key lives; null when it never expires' }) maxTtlSeconds!: number | null;
  @ApiProperty({ description: 'Deleted by delete-my-data (otherwise it expires by itself within an hour)' }) erasedWithPerson!: boolean;
}

export class RecordsOfProcessingDto {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ example: 30 }) softDeleteGraceDays!: number;
  @ApiProperty({ type: [ProcessingActivityDto] }) activities!: ProcessingActivityDto[];
  @ApiProperty({ type: [RedisKeyActivityDto] }) redisKeys!: RedisKeyActivityDto[];
}
