// A local Anthropic Messages API (`POST /v1/messages`) that answers in the real wire format, with
// forced `record_sentiment` tool use by default, and records every request so tests can scan
// prompts for PII.
import { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, HeaderMap, headerValue, randomBase62, redactedHeaders, sendJson } from './fake-http';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export type FakeSentiment = 'positive' | 'negative' | 'neutral' | 'mixed';

/** The `record_sentiment` tool input of the spec (section 3a). */
export interface RecordSentimentInput {
  overall: FakeSentiment;
  score: number;
  summary: string;
  tweets: { ref: string; sentiment: FakeSentiment; score: number }[];
}

/**
 * One queued answer. Strings are canned shapes: `default` (the derived tool call), `malformed`
 * (a tool call whose input breaks the schema), `text_only` (no tool call at all). Objects: an error
 * status (429 carries `retry-after`), a custom tool input, a plain text answer, or a delay before
 * another answer (for client timeouts).
 */
export type FakeAnthropicResponse =
  | 'default'
  | 'malformed'
  | 'text_only'
  | { status: number; retryAfterSeconds?: number; message?: string; errorType?: AnthropicErrorType }
  | { toolInput: unknown }
  | { text: string }
  | { delayMs: number; then?: FakeAnthropicResponse };

export interface FakeAnthropicRequest {
  method: string;
  path: string;
  /** Request headers with `x-api-key` and `authorization` redacted. */
  headers: HeaderMap;
  /** The raw body as sent: scan this for PII, it holds everything the provider would see. */
  rawBody: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: MessagesRequestBody | undefined;
  /** The text of the system prompt and of every message, joined by newlines. */
  promptText: string;
  status: number;
  at: Date;
}

/** The parts of a Messages API request body the fake reads; everything else is kept as sent. */
export interface MessagesRequestBody {
  model?: unknown;
  max_tokens?: unknown;
  system?: unknown;
  messages?: unknown;
  tools?: unknown;
  tool_choice?: unknown;
  stream?: unknown;
  [key: string]: unknown;
}

export interface FakeAnthropicServerOptions {
  apiKey?: string;
  /** Requests per minute before the fake answers 429 on its own (Anthropic's tier-1 limit: 50). */
  requestsPerMinute?: number;
  /** Finds tweet refs in the prompt; group 1 (or the whole match) is the ref. */
  refPattern?: RegExp;
  now?: () => number;
}

export const DEFAULT_REF_PATTERN = /\[(T\d+)\]/g;

const STATUS_ERROR_TYPES: Record<number, AnthropicErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const DEFAULT_ERROR_MESSAGES: Record<AnthropicErrorType, string> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
  api_error: 'Internal server error',
  overloaded_error: 'Overloaded',
};

const POSITIVE_WORDS = [
  'love', 'loving', 'great', 'good', 'happy', 'excellent', 'awesome', 'amazing', 'thanks', 'thank', 'best',
  'win', 'wonderful', 'enjoy', 'nice', 'fantastic', 'glad',
];
const NEGATIVE_WORDS = [
  'hate', 'bad', 'terrible', 'awful', 'sad', 'worst', 'angry', 'broken', 'fail', 'failed', 'disappointed',
  'crashing', 'crash', 'delayed', 'poor', 'horrible', 'annoying',
];

class AnthropicHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: AnthropicErrorType,
    readonly detail: string,
    readonly headers: HeaderMap = {},
  ) {
    super(detail);
  }
}

/**
 * Fake Anthropic API. Point `ANTHROPIC_BASE_URL` at `start()`'s URL and `ANTHROPIC_API_KEY` at
 * `apiKey`; queue answers with `respondWith`, read what was sent in `requests`.
 */
export class FakeAnthropicServer extends FakeHttpServer {
  readonly apiKey: string;
  /** Every request received, oldest first, including refused ones. */
  readonly requests: FakeAnthropicRequest[] = [];
  refPattern: RegExp;
  requestsPerMinute: number;

  private readonly now: () => number;
  private readonly queue: FakeAnthropicResponse[] = [];
  private readonly recentRequests: number[] = [];
  private readonly initialRequestsPerMinute: number;
  private readonly initialRefPattern: RegExp;

  constructor(options: FakeAnthropicServerOptions = {}) {
    super();
    this.apiKey = options.apiKey ?? 'sk-ant-api03-fake-test-key';
    this.requestsPerMinute = this.initialRequestsPerMinute = options.requestsPerMinute ?? 50;
    this.refPattern = this.initialRefPattern = options.refPattern ?? DEFAULT_REF_PATTERN;
    this.now = options.now ?? Date.now;
  }

  /** Queues answers for the next requests, in order; afterwards the default answer resumes. */
  respondWith(...next: FakeAnthropicResponse[]): void {
    this.queue.push(...next);
  }

  get pendingResponses(): number {
    return this.queue.length;
  }

  get lastRequest(): FakeAnthropicRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  /** Requests that reached the model (authenticated, well-formed, not rate limited). */
  get acceptedRequests(): FakeAnthropicRequest[] {
    return this.requests.filter((request) => request.status === 200);
  }

  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.recentRequests.length = 0;
    this.requestsPerMinute = this.initialRequestsPerMinute;
    this.refPattern = this.initialRefPattern;
  }

  /** The answer the fake derives from a prompt: one ref per `[Tn]` line and a lexicon sentiment. */
  deriveSentiment(promptText: string): RecordSentimentInput {
    const tweets = extractRefs(promptText, this.refPattern).map(({ ref, text }) => {
      const score = lexiconScore(text);
      return { ref, sentiment: sentimentOf(score), score };
    });
    const mean = tweets.length === 0 ? 0 : tweets.reduce((sum, tweet) => sum + tweet.score, 0) / tweets.length;
    const score = round(mean);
    const positives = tweets.filter((tweet) => tweet.sentiment === 'positive').length;
    const negatives = tweets.filter((tweet) => tweet.sentiment === 'negative').length;
    const overall: FakeSentiment =
      positives > 0 && negatives > 0 && Math.abs(score) < 0.2 ? 'mixed' : sentimentOf(score);
    return {
      overall,
      score,
      summary: `${tweets.length} tweets: ${positives} positive, ${negatives} negative, ${tweets.length - positives - negatives} neutral.`,
      tweets,
    };
  }

  protected async handle(req: IncomingMessage, rawBody: Buffer, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.anthropic');
    const text = rawBody.toString('utf8');
    const body = parseJsonObject(text);
    const record: FakeAnthropicRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      headers: redactedHeaders(req, ['x-api-key']),
      rawBody: text,
      body,
      promptText: body === undefined ? '' : promptTextOf(body),
      status: 0,
      at: new Date(this.now()),
    };
    this.requests.push(record);
    const requestId = `req_${randomBase62(24)}`;
    let headers: HeaderMap = { 'request-id': requestId };
    try {
      if (record.method !== 'POST' || url.pathname.replace(/\/+$/, '') !== '/v1/messages') {
        throw new AnthropicHttpError(404, 'not_found_error', 'Not Found');
      }
      this.checkHeaders(req);
      const limitHeaders = this.consumeRateLimit();
      headers = { ...headers, ...limitHeaders };
      const request = validateBody(body);
      const message = await this.answer(request, record.promptText, headers);
      record.status = 200;
      sendJson(res, 200, message, headers);
    } catch (error) {
      if (!(error instanceof AnthropicHttpError)) {
        throw error;
      }
      record.status = error.status;
      sendJson(
        res,
        error.status,
        { type: 'error', error: { type: error.errorType, message: error.detail }, request_id: requestId },
        { ...headers, ...error.headers, 'x-should-retry': String(error.status === 429 || error.status >= 500) },
      );
    }
  }

  private checkHeaders(req: IncomingMessage): void {
    // @anthropic-ai/sdk 1.x sends the API key as `Authorization: Bearer`; curl and 0.x SDKs send
    // `x-api-key`. The API takes both.
    const bearer = /^Bearer\s+(.+)$/i.exec(headerValue(req, 'authorization') ?? '')?.[1];
    const key = headerValue(req, 'x-api-key') ?? bearer;
    if (key === undefined || key !== this.apiKey) {
      throw new AnthropicHttpError(401, 'authentication_error', 'invalid x-api-key');
    }
    if ((headerValue(req, 'anthropic-version') ?? '') === '') {
      throw new AnthropicHttpError(400, 'invalid_request_error', 'anthropic-version: header is required');
    }
  }

  private consumeRateLimit(): HeaderMap {
    const now = this.now();
    while (this.recentRequests.length > 0 && (this.recentRequests[0] ?? 0) <= now - 60_000) {
      this.recentRequests.shift();
    }
    const oldest = this.recentRequests[0];
    const resetAt = oldest === undefined ? now : oldest + 60_000;
    if (this.recentRequests.length >= this.requestsPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
      throw new AnthropicHttpError(429, 'rate_limit_error', DEFAULT_ERROR_MESSAGES.rate_limit_error, {
        ...requestLimitHeaders(this.requestsPerMinute, 0, new Date(resetAt)),
        'retry-after': String(retryAfter),
      });
    }
    this.recentRequests.push(now);
    return requestLimitHeaders(
      this.requestsPerMinute,
      this.requestsPerMinute - this.recentRequests.length,
      new Date((this.recentRequests[0] ?? now) + 60_000),
    );
  }

  private async answer(request: ValidRequest, promptText: string, headers: HeaderMap): Promise<unknown> {
    let next: FakeAnthropicResponse = this.queue.shift() ?? 'default';
    while (typeof next === 'object' && 'delayMs' in next) {
      await this.delay(next.delayMs);
      next = next.then ?? 'default';
    }
    if (typeof next === 'object' && 'status' in next) {
      const errorType = next.errorType ?? STATUS_ERROR_TYPES[next.status] ?? 'api_error';
      const extra: HeaderMap = {};
      if (next.status === 429) {
        const retryAfter = next.retryAfterSeconds ?? 60;
        extra['retry-after'] = String(retryAfter);
        Object.assign(
          extra,
          requestLimitHeaders(this.requestsPerMinute, 0, new Date(this.now() + retryAfter * 1000)),
        );
      }
      throw new AnthropicHttpError(next.status, errorType, next.message ?? DEFAULT_ERROR_MESSAGES[errorType], {
        ...headers,
        ...extra,
      });
    }
    const toolName = request.forcedToolName ?? request.toolNames[0];
    if (next === 'text_only' || (typeof next === 'object' && 'text' in next)) {
      const text = next === 'text_only' ? 'I am unable to record a sentiment for these posts.' : next.text;
      return this.message(request.model, [{ type: 'text', text, citations: null }], 'end_turn', promptText);
    }
    const input =
      next === 'malformed'
        ? { overall: 'ecstatic', score: 7, summary: 42, tweets: 'none' }
        : typeof next === 'object'
          ? next.toolInput
          : this.deriveSentiment(promptText);
    if (toolName === undefined) {
      // Without tools the model can only answer in text; give it the JSON so parsers can be tried.
      return this.message(request.model, [{ type: 'text', text: JSON.stringify(input), citations: null }], 'end_turn', promptText);
    }
    return this.message(
      request.model,
      [{ type: 'tool_use', id: `toolu_01${randomBase62(22)}`, name: toolName, input, caller: { type: 'direct' } }],
      'tool_use',
      promptText,
    );
  }

  private message(model: string, content: unknown[], stopReason: string, promptText: string): unknown {
    return {
      id: `msg_01${randomBase62(22)}`,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: {
        input_tokens: Math.max(1, Math.ceil(promptText.length / 4)),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: Math.max(1, Math.ceil(JSON.stringify(content).length / 4)),
        service_tier: 'standard',
      },
    };
  }
}

interface ValidRequest {
  model: string;
  toolNames: string[];
  forcedToolName: string | undefined;
}

function parseJsonObject(text: string): MessagesRequestBody | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as MessagesRequestBody)
      : undefined;
  } catch {
    return undefined;
  }
}

function validateBody(body: MessagesRequestBody | undefined): ValidRequest {
  const invalid = (message: string): AnthropicHttpError =>
    new AnthropicHttpError(400, 'invalid_request_error', message);
  if (body === undefined) {
    throw invalid('There was an issue with your request body: it must be a JSON object.');
  }
  if (typeof body.model !== 'string' || body.model === '') {
    throw invalid('model: Field required');
  }
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    throw invalid('max_tokens: Field required');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalid('messages: at least one message is required');
  }
  if (body.stream === true) {
    throw invalid('FakeAnthropicServer does not implement streaming');
  }
  const toolNames: string[] = [];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) {
      throw invalid('tools: Input should be a valid list');
    }
    for (const [index, tool] of (body.tools as unknown[]).entries()) {
      const name = isRecord(tool) ? tool.name : undefined;
      if (typeof name !== 'string' || !isRecord(tool) || !isRecord(tool.input_schema)) {
        throw invalid(`tools.${index}: each custom tool needs a name and an input_schema`);
      }
      toolNames.push(name);
    }
  }
  let forcedToolName: string | undefined;
  if (isRecord(body.tool_choice) && body.tool_choice.type === 'tool') {
    const name = body.tool_choice.name;
    if (typeof name !== 'string' || !toolNames.includes(name)) {
      throw invalid(`tool_choice.name: Tool '${String(name)}' not found in tools`);
    }
    forcedToolName = name;
  }
  return { model: body.model, toolNames, forcedToolName };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All text a model would read: the system prompt, then every message's text and tool results. */
function promptTextOf(body: MessagesRequestBody): string {
  const parts: string[] = [];
  const collect = (content: unknown): void => {
    if (typeof content === 'string') {
      parts.push(content);
    } else if (Array.isArray(content)) {
      for (const block of content) {
        collect(block);
      }
    } else if (isRecord(content)) {
      if (typeof content.text === 'string') {
        parts.push(content.text);
      }
      if (content.type === 'tool_result') {
        collect(content.content);
      }
    }
  };
  collect(body.system);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (isRecord(message)) {
        collect(message.content);
      }
    }
  }
  return parts.join('\n');
}

/** Each ref with the text that follows it up to the next ref or line end; the last mention wins. */
function extractRefs(text: string, pattern: RegExp): { ref: string; text: string }[] {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  const matches = [...text.matchAll(global)];
  const byRef = new Map<string, string>();
  matches.forEach((match, index) => {
    const ref = match[1] ?? match[0];
    const start = (match.index ?? 0) + match[0].length;
    const nextStart = matches[index + 1]?.index ?? text.length;
    const lineEnd = text.indexOf('\n', start);
    const end = lineEnd >= 0 && lineEnd < nextStart ? lineEnd : nextStart;
    byRef.delete(ref);
    byRef.set(ref, text.slice(start, end));
  });
  return [...byRef].map(([ref, body]) => ({ ref, text: body }));
}

function lexiconScore(text: string): number {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  const positive = words.filter((word) => POSITIVE_WORDS.includes(word)).length;
  const negative = words.filter((word) => NEGATIVE_WORDS.includes(word)).length;
  return positive + negative === 0 ? 0 : round((positive - negative) / (positive + negative));
}

function sentimentOf(score: number): FakeSentiment {
  return score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral';
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function requestLimitHeaders(limit: number, remaining: number, reset: Date): HeaderMap {
  return {
    'anthropic-ratelimit-requests-limit': String(limit),
    'anthropic-ratelimit-requests-remaining': String(Math.max(0, remaining)),
    'anthropic-ratelimit-requests-reset': reset.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}
