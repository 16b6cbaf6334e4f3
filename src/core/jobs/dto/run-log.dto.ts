import { ApiProperty } from '@nestjs/swagger';
import { RunLog } from '../entities/run-log.entity';

export class RunLogDto {
  @ApiProperty({ enum: ['debug', 'info', 'warn', 'error'] }) level!: RunLog['level'];
  @ApiProperty({ description: 'Redacted log line' }) message!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(log: RunLog): RunLogDto {
    return { level: log.level, message: log.message, createdAt: log.createdAt.toISOString() };
  }
}
