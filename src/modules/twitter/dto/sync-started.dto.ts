import { ApiProperty } from '@nestjs/swagger';

export class SyncStartedDto {
  @ApiProperty({ format: 'uuid', description: 'The ingestion run; follow it with GET /api/runs/:id' }) runId!: string;
}
