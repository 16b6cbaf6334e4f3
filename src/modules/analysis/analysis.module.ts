import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ConsentModule } from '../consent/consent.module';
import { AnalysisRunService } from './analysis-run.service';
import { AnalysisController } from './analysis.controller';
import { AnalysisRepository } from './analysis.repository';
import { AnalysisService } from './analysis.service';
import { AnthropicSentimentClient } from './anthropic-sentiment.client';

/** Sentiment analysis runs (`analysis.sentiment`) over the stored tweets, the monthly quota, and the results. */
@Module({
  imports: [ConsentModule, BillingModule],
  controllers: [AnalysisController],
  providers: [AnalysisService, AnalysisRepository, AnalysisRunService, AnthropicSentimentClient],
})
export class AnalysisModule {}
