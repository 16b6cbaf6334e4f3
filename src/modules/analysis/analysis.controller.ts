import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { RequiresConsent } from '../consent/consent.guard';
import { AnalysisService } from './analysis.service';
import { AnalysisDto, AnalysisStartedDto, QuotaDto } from './dto/analysis.dto';
import { ListAnalysesQueryDto } from './dto/list-analyses-query.dto';

@ApiTags('analysis')
@Controller('api/analysis')
@Authenticated()
export class AnalysisController {
  constructor(private readonly analysis: AnalysisService) {}

  @Post('sentiment')
  @HttpCode(202)
  @RequiresConsent()
  @ApiAcceptedResponse({ type: AnalysisStartedDto, description: 'A sentiment analysis run over your newest stored tweets (up to 100)' })
  @ApiTooManyRequestsResponse({ description: "QUOTA_EXCEEDED: your tier's analysis runs for this month are used up (Retry-After: when it resets)" })
  start(@CurrentUser() user: AuthenticatedUser): Promise<AnalysisStartedDto> {
    return this.analysis.startAnalysis(user.id);
  }

  @Get()
  @ApiOkResponse({ type: [AnalysisDto], description: 'Your analyses, newest first; page with `before` = the last id' })
  @ApiNotFoundResponse({ description: 'ANALYSIS_NOT_FOUND: `before` names no analysis of yours' })
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: ListAnalysesQueryDto): Promise<AnalysisDto[]> {
    return this.analysis.listAnalyses(user.id, query);
  }

  @Get('quota')
  @ApiOkResponse({ type: QuotaDto })
  quota(@CurrentUser() user: AuthenticatedUser): Promise<QuotaDto> {
    return this.analysis.getQuota(user.id);
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AnalysisDto })
  @ApiNotFoundResponse({ description: 'ANALYSIS_NOT_FOUND: no analysis of yours has this id' })
  get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<AnalysisDto> {
    return this.analysis.getAnalysis(user.id, id);
  }
}
