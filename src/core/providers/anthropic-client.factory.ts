// Builds the @anthropic-ai/sdk client from validated configuration, never from the environment.
import Anthropic, { ClientOptions } from '@anthropic-ai/sdk';

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

export interface AnthropicClientOptions {
  apiKey: string;
  /** `ANTHROPIC_BASE_URL`; defaults to the public API. */
  baseUrl?: string;
  /** The SDK's own retries; 0 by default because the rate limiter owns the retry policy. */
  maxRetries?: number;
  timeoutMs: number;
  /** Where the SDK writes its warnings; pass the app's redacting logger. */
  logger?: ClientOptions['logger'];
}

export function createAnthropicClient(options: AnthropicClientOptions): Anthropic {
  if (options.apiKey === '') {
    throw new Error('createAnthropicClient needs an apiKey');
  }
  return new Anthropic({
    apiKey: options.apiKey,
    // Explicit values so the SDK does not fall back to ANTHROPIC_BASE_URL / ANTHROPIC_LOG behind
    // the config module's back.
    baseURL: options.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL,
    maxRetries: options.maxRetries ?? 0,
    timeout: options.timeoutMs,
    // 'debug' would print whole prompts; pinning the level keeps an environment variable from
    // sending tweet text to stdout.
    logLevel: 'warn',
    logger: options.logger,
  });
}
