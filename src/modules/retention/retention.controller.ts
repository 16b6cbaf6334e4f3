import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../core/auth/auth.decorators';
import { RetentionPolicyEntryDto, RetentionRunQueryDto, RetentionRunResultDto } from './dto/retention.dto';
import { RetentionService } from './retention.service';

@ApiTags('admin')
@Controller('api/admin/retention')
@Authenticated({ admin: true })
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get('policy')
  @ApiOkResponse({ type: [RetentionPolicyEntryDto] })
  policy(): RetentionPolicyEntryDto[] {
    return this.retention.policy();
  }

  @Post('run')
  @HttpCode(200)
  @ApiOkResponse({ type: RetentionRunResultDto })
  run(@Query() query: RetentionRunQueryDto): Promise<RetentionRunResultDto> {
    return this.retention.cleanupExpiredRecords(undefined, { dryRun: query.dryRun ?? false });
  }
}
