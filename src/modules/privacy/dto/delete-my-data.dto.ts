import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Rows deleted per table, under the `countAs` key of each table's personal-data declaration (the
 * table's name when it names none), plus the queued jobs removed.
 */
export class DeletedCountsDto {
  @ApiProperty({ description: 'workflow_runs rows' }) workflows!: number;
  @ApiProperty({ description: 'queued or delayed jobs removed from the queue' }) jobs!: number;
  @ApiProperty({ description: 'run_logs rows' }) logs!: number;
  @ApiProperty() support_tickets!: number;
  @ApiProperty({ description: 'oauth_tokens rows' }) tokens!: number;
  @ApiProperty({ description: 'data_exports rows (their files go too)' }) dsar_exports!: number;
  @ApiProperty({ description: 'twitter_data rows' }) tweets!: number;
  @ApiProperty() analyses!: number;
  @ApiProperty({ description: 'compliance_events rows' }) compliance_events!: number;
  @ApiProperty({ description: 'notifications rows (the erasure then leaves one "Your data was deleted" notice)' }) notifications!: number;
}

export class DeleteMyDataResultDto {
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional({ type: DeletedCountsDto }) deleted?: DeletedCountsDto;
  @ApiPropertyOptional({ description: 'Why nothing was deleted (when ok is false)' }) error?: string;
}
