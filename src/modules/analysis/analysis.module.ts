import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { CryptoModule } from '../../core/crypto/crypto.module';
import { JobsModule } from '../../core/jobs/jobs.module';
import { BillingModule } from '../billing/billing.module';
import { ConsentModule } from '../consent/consent.module';
import { ComplianceEventsModule } from '../monitoring/compliance-events.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RedactionModule } from '../redaction/redaction.module';
import { AnalysisRunService } from './analysis-run.service';
import { AnalysisController } from './analysis.controller';
import { AnalysisRepository } from './analysis.repository';
import { AnalysisService } from './analysis.service';
import { AnthropicSentimentClient } from './anthropic-sentiment.client';
import { PersonalDataModule } from '../../core/personal-data';
import { ANALYSIS_PERSONAL_DATA } from './analysis.personal-data';

/** Sentiment analysis runs (`analysis.sentiment`) over the stored tweets, the monthly quota, and the results. */
@Module({
  imports: [PersonalDataModule.declare('analysis', ANALYSIS_PERSONAL_DATA), AuditModule, BillingModule, ComplianceEventsModule, ConsentModule, CryptoModule, JobsModule, RateLimitModule, RedactionModule],
  controllers: [AnalysisController],
  providers: [AnalysisService, AnalysisRepository, AnalysisRunService, AnthropicSentimentClient],
  // AnalysisService: the operator console starts a person's analysis under the same quota.
  exports: [AnalysisService],
})
export class AnalysisModule {}
