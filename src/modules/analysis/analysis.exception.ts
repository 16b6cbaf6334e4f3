// The Analysis module's error codes: the 429 of an exhausted monthly quota, and the job errors an
// analysis run can end with (the run records the code).
import { DomainException } from '../../core/errors/domain.exception';
import { PermanentJobError, TransientJobError } from '../../core/jobs/job-errors';

export enum AnalysisErrorCode {
  /** The tier's analysis runs for this calendar month (UTC) are used up. */
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  /** The model's record_sentiment answer does not match the schema; nothing was stored. */
  ANALYSIS_INVALID_ANSWER = 'ANALYSIS_INVALID_ANSWER',
  /** There are no stored tweets to analyse (run POST /api/twitter/sync first). */
  ANALYSIS_NO_TWEETS = 'ANALYSIS_NO_TWEETS',
  /** Anthropic refused the request itself (4xx other than 408/409/429): retrying cannot help. */
  ANTHROPIC_REQUEST_REJECTED = 'ANTHROPIC_REQUEST_REJECTED',
  /** Anthropic could not be reached (connection error, timeout). */
  ANTHROPIC_UNAVAILABLE = 'ANTHROPIC_UNAVAILABLE',
  ANALYSIS_NOT_FOUND = 'ANALYSIS_NOT_FOUND',
}

export class QuotaExceededException extends DomainException {
  constructor(limit: number, resetsAt: Date, now: Date) {
    super(
      AnalysisErrorCode.QUOTA_EXCEEDED,
      `Your plan's ${limit} analysis runs for this month are used up; the quota resets at ${resetsAt.toISOString()}`,
      429,
      { 'Retry-After': String(Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000))) },
    );
  }
}

export class InvalidSentimentAnswerError extends PermanentJobError {
  constructor(reason: string) {
    super(AnalysisErrorCode.ANALYSIS_INVALID_ANSWER, `The model's answer does not match record_sentiment: ${reason}`);
  }
}

export class NoTweetsToAnalyseError extends PermanentJobError {
  constructor() {
    super(AnalysisErrorCode.ANALYSIS_NO_TWEETS, 'There are no stored tweets to analyse; sync your X timeline first');
  }
}

export class AnthropicRequestRejectedError extends PermanentJobError {
  constructor(status: number) {
    super(AnalysisErrorCode.ANTHROPIC_REQUEST_REJECTED, `Anthropic refused the request (HTTP ${status})`);
  }
}

export class AnthropicUnavailableError extends TransientJobError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(AnalysisErrorCode.ANTHROPIC_UNAVAILABLE, `Anthropic could not be reached: ${reason}`, undefined, options);
  }
}

export class AnalysisNotFoundException extends DomainException {
  constructor(field: string) {
    super(AnalysisErrorCode.ANALYSIS_NOT_FOUND, `${field}: no analysis of yours has this id`, 404);
  }
}
