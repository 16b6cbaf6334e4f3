// Calls the Anthropic Messages API through @anthropic-ai/sdk (its own retries off) under the
// outbound rate limiter, forcing the `record_sentiment` tool, and hands back the tool's raw input
// for validation. Rate limits and 5xx are the limiter's business (delay or retry); other failures
// leave as job errors with this module's codes.
import Anthropic, { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { createAnthropicClient } from '../../core/providers/anthropic-client.factory';
import { RateLimiterService } from '../rate-limit/rate-limiter.service';
import { AnthropicRequestRejectedError, AnthropicUnavailableError, InvalidSentimentAnswerError } from './analysis.exception';
import { RECORD_SENTIMENT_TOOL, RECORD_SENTIMENT_TOOL_NAME } from './sentiment';
import type { SentimentPrompt } from './sentiment-prompt.builder';

/** Room for 100 per-tweet entries and a summary. */
const MAX_OUTPUT_TOKENS = 8192;
const REQUEST_TIMEOUT_MS = 120_000;
/** Requests per call, counting the first: 429 and 5xx answers are retried by the rate limiter. */
const ANTHROPIC_CALL_ATTEMPTS = 3;

@Injectable()
export class AnthropicSentimentClient {
  private readonly client: Anthropic | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly rateLimiter: RateLimiterService,
  ) {
    const sdkLogger = new Logger('AnthropicSDK');
    this.client = config.anthropic.apiKey
      ? createAnthropicClient({
          apiKey: config.anthropic.apiKey,
          baseUrl: config.anthropic.baseUrl,
          maxRetries: 0,
          timeoutMs: REQUEST_TIMEOUT_MS,
          // Through the app's logger, which redacts every record.
          logger: {
            error: (message) => sdkLogger.error(message),
            warn: (message) => sdkLogger.warn(message),
            info: (message) => sdkLogger.log(message),
            debug: (message) => sdkLogger.debug(message),
          },
        })
      : null;
  }

  /** False without ANTHROPIC_API_KEY: the local lexicon analyser is used instead. */
  get isConfigured(): boolean {
    return this.client !== null;
  }

  /** The `record_sentiment` input the model gave (unvalidated). */
  async recordSentiment(userId: string, model: string, prompt: SentimentPrompt, signal: AbortSignal): Promise<unknown> {
    const client = this.client;
    if (client === null) throw new Error('AnthropicSentimentClient used without ANTHROPIC_API_KEY');
    let message: Anthropic.Message;
    try {
      message = await this.rateLimiter.callWithRateLimit(
        'anthropic',
        userId,
        async () => {
          const { data, response } = await client.messages
            .create(
              {
                model,
                max_tokens: MAX_OUTPUT_TOKENS,
                system: prompt.system,
                messages: [{ role: 'user', content: prompt.user }],
                tools: [RECORD_SENTIMENT_TOOL],
                tool_choice: { type: 'tool', name: RECORD_SENTIMENT_TOOL_NAME },
              },
              { signal },
            )
            .withResponse();
          return { value: data, response: { status: response.status, headers: response.headers } };
        },
        { maxAttempts: ANTHROPIC_CALL_ATTEMPTS },
      );
    } catch (error) {
      throw asJobError(error);
    }
    if (message.stop_reason === 'max_tokens') throw new InvalidSentimentAnswerError('the answer was cut off at the token limit');
    const toolUse = message.content.find((block) => block.type === 'tool_use' && block.name === RECORD_SENTIMENT_TOOL_NAME);
    if (toolUse === undefined || toolUse.type !== 'tool_use') throw new InvalidSentimentAnswerError(`no ${RECORD_SENTIMENT_TOOL_NAME} tool call in the answer`);
    return toolUse.input;
  }
}

/** What the rate limiter passed through: a refusal of the request itself, or no answer at all. */
function asJobError(error: unknown): unknown {
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionError) return new AnthropicUnavailableError(error.message, { cause: error });
  if (error instanceof APIError && typeof error.status === 'number') return new AnthropicRequestRejectedError(error.status);
  return error;
}
