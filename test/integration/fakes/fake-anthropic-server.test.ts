// The fake Anthropic server driven through the real @anthropic-ai/sdk client, as the app will drive it.
import Anthropic from '@anthropic-ai/sdk';
import { createAnthropicClient } from '../../../src/core/providers/anthropic-client.factory';
import { FakeAnthropicServer, RecordSentimentInput } from '../../fakes/fake-anthropic-server';

const MODEL = 'claude-sonnet-4-6';

const RECORD_SENTIMENT_TOOL: Anthropic.Tool = {
  name: 'record_sentiment',
  description: 'Record the sentiment of the numbered posts.',
  input_schema: {
    type: 'object',
    properties: {
      overall: { type: 'string', enum: ['positive', 'negative', 'neutral', 'mixed'] },
      score: { type: 'number' },
      summary: { type: 'string' },
      tweets: { type: 'array', items: { type: 'object' } },
    },
    required: ['overall', 'score', 'summary', 'tweets'],
  },
};

const PROMPT = [
  'Rate the sentiment of each post.',
  '[T1] Loving the new release, great work!',
  '[T2] This update is terrible and I hate it.',
  '[T3] Heading to the office.',
].join('\n');

function sentimentRequest(prompt = PROMPT): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model: MODEL,
    max_tokens: 1024,
    system: 'You analyse the sentiment of social media posts.',
    messages: [{ role: 'user', content: prompt }],
    tools: [RECORD_SENTIMENT_TOOL],
    tool_choice: { type: 'tool', name: 'record_sentiment' },
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe(FakeAnthropicServer.name, () => {
  const sut = new FakeAnthropicServer();
  let client: Anthropic;

  beforeAll(async () => {
    const baseUrl = await sut.start();
    client = createAnthropicClient({ apiKey: sut.apiKey, baseUrl, timeoutMs: 5000 });
  });

  afterAll(async () => {
    await sut.stop();
  });

  beforeEach(() => {
    sut.reset();
  });

  it('should answer a forced record_sentiment call with a tool_use block for every ref', async () => {
    const message = await client.messages.create(sentimentRequest());

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    expect(message.id).toMatch(/^msg_/);
    const [block] = message.content;
    expect(block?.type).toBe('tool_use');
    if (block?.type !== 'tool_use') {
      return;
    }
    expect(block.id).toMatch(/^toolu_/);
    expect(block.name).toBe('record_sentiment');
    const input = block.input as RecordSentimentInput;
    expect(input.tweets).toEqual([
      { ref: 'T1', sentiment: 'positive', score: 1 },
      { ref: 'T2', sentiment: 'negative', score: -1 },
      { ref: 'T3', sentiment: 'neutral', score: 0 },
    ]);
    expect(input.overall).toBe('mixed');
    expect(input.score).toBe(0);
    expect(input.summary).toEqual(expect.any(String));
  });

  it('should record each request with its prompt and without the API key', async () => {
    await client.messages.create(sentimentRequest());

    const [recorded] = sut.requests;
    expect(recorded?.path).toBe('/v1/messages');
    expect(recorded?.status).toBe(200);
    expect(recorded?.headers.authorization).toBe('Bearer <redacted>');
    expect(recorded?.headers['anthropic-version']).toEqual(expect.any(String));
    expect(recorded?.body?.tool_choice).toEqual({ type: 'tool', name: 'record_sentiment' });
    expect(recorded?.promptText).toContain('[T2] This update is terrible and I hate it.');
    expect(recorded?.promptText).toContain('You analyse the sentiment');
    expect(recorded?.rawBody).toContain('record_sentiment');
    expect(JSON.stringify(sut.requests)).not.toContain(sut.apiKey);
  });

  it('should send rate-limit and request-id headers with each answer', async () => {
    const { response, request_id: requestId } = await client.messages.create(sentimentRequest()).withResponse();

    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('50');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
    expect(Date.parse(response.headers.get('anthropic-ratelimit-requests-reset') ?? '')).toBeGreaterThan(Date.now());
    expect(requestId).toMatch(/^req_/);
  });

  it('should surface a queued 429 as RateLimitError with retry-after, without SDK retries', async () => {
    sut.respondWith({ status: 429, retryAfterSeconds: 17 });

    const error = await rejectionOf(client.messages.create(sentimentRequest()));

    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimited = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.headers.get('retry-after')).toBe('17');
    expect(rateLimited.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(rateLimited.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(rateLimited.requestID).toMatch(/^req_/);
    expect(sut.requests).toHaveLength(1);
  });

  it('should surface 529 and 500 as the SDK server errors', async () => {
    sut.respondWith({ status: 529 }, { status: 500 });

    const overloaded = await rejectionOf(client.messages.create(sentimentRequest()));
    const internal = await rejectionOf(client.messages.create(sentimentRequest()));
    const recovered = await client.messages.create(sentimentRequest());

    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect(internal).toBeInstanceOf(Anthropic.InternalServerError);
    expect((internal as InstanceType<typeof Anthropic.APIError>).type).toBe('api_error');
    expect(recovered.stop_reason).toBe('tool_use');
  });

  it('should answer the queued malformed, text-only and custom shapes in order', async () => {
    const custom: RecordSentimentInput = { overall: 'positive', score: 0.5, summary: 'ok', tweets: [] };
    sut.respondWith('malformed', 'text_only', { toolInput: custom });

    const malformed = await client.messages.create(sentimentRequest());
    const textOnly = await client.messages.create(sentimentRequest());
    const customAnswer = await client.messages.create(sentimentRequest());

    const malformedBlock = malformed.content[0];
    expect(malformedBlock?.type).toBe('tool_use');
    expect(malformedBlock?.type === 'tool_use' ? malformedBlock.input : undefined).toMatchObject({ overall: 'ecstatic' });
    expect(textOnly.stop_reason).toBe('end_turn');
    expect(textOnly.content.map((block) => block.type)).toEqual(['text']);
    const customBlock = customAnswer.content[0];
    expect(customBlock?.type === 'tool_use' ? customBlock.input : undefined).toEqual(custom);
    expect(sut.pendingResponses).toBe(0);
  });

  it('should refuse a wrong API key with authentication_error', async () => {
    const wrongKey = createAnthropicClient({ apiKey: 'sk-ant-wrong', baseUrl: sut.baseUrl, timeoutMs: 5000 });

    const error = await rejectionOf(wrongKey.messages.create(sentimentRequest()));

    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(sut.acceptedRequests).toHaveLength(0);
  });

  it('should also accept the API key in an x-api-key header, as curl sends it', async () => {
    const response = await fetch(`${sut.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': sut.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(sentimentRequest()),
    });
    const missingVersion = await fetch(`${sut.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': sut.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(sentimentRequest()),
    });

    expect(response.status).toBe(200);
    expect(sut.requests[0]?.headers['x-api-key']).toBe('<redacted>');
    expect(missingVersion.status).toBe(400);
    expect(await missingVersion.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
  });

  it('should answer 429 on its own past the per-minute request limit', async () => {
    sut.requestsPerMinute = 2;
    await client.messages.create(sentimentRequest());
    await client.messages.create(sentimentRequest());

    const error = await rejectionOf(client.messages.create(sentimentRequest()));

    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const retryAfter = Number((error as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('should let a slow answer run into the client timeout', async () => {
    const impatient = createAnthropicClient({ apiKey: sut.apiKey, baseUrl: sut.baseUrl, timeoutMs: 100 });
    sut.respondWith({ delayMs: 2000 });

    const error = await rejectionOf(impatient.messages.create(sentimentRequest()));

    expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });

  it('should find refs with a configured pattern', async () => {
    sut.refPattern = /<post id="(P\d+)">/g;

    const message = await client.messages.create(
      sentimentRequest('<post id="P1">awful day</post>\n<post id="P2">great day</post>'),
    );

    const [block] = message.content;
    const input = (block?.type === 'tool_use' ? block.input : undefined) as RecordSentimentInput | undefined;
    expect(input?.tweets.map((tweet) => [tweet.ref, tweet.sentiment])).toEqual([
      ['P1', 'negative'],
      ['P2', 'positive'],
    ]);
  });
});
