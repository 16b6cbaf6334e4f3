// A strict check of the model's `record_sentiment` input against the spec's schema: no missing or
// unknown fields, labels from the enum, scores in [-1, 1], and exactly one entry per tweet the
// prompt named. Anything else fails the run (ANALYSIS_INVALID_ANSWER) before a row is written.
// Reasons name fields and refs, never echo the model's text.
import { InvalidSentimentAnswerError } from './analysis.exception';
import { SentimentAnswer, SentimentLabel, SENTIMENTS, TweetSentiment } from './sentiment';

const ANSWER_FIELDS = ['overall', 'score', 'summary', 'tweets'] as const;
const TWEET_FIELDS = ['ref', 'sentiment', 'score'] as const;
export const MAX_SUMMARY_LENGTH = 2000;

/** Returns the answer typed, or throws `InvalidSentimentAnswerError` naming what is wrong. */
export function validateSentimentAnswer(input: unknown, expectedRefs: readonly string[]): SentimentAnswer {
  const answer = asRecord(input, 'the answer');
  checkFields(answer, ANSWER_FIELDS, '');
  const overall = sentimentAt(answer.overall, 'overall');
  const score = scoreAt(answer.score, 'score');
  if (typeof answer.summary !== 'string' || answer.summary.trim() === '') fail('summary must be a non-empty string');
  if (answer.summary.length > MAX_SUMMARY_LENGTH) fail(`summary is longer than ${MAX_SUMMARY_LENGTH} characters`);
  if (!Array.isArray(answer.tweets)) fail('tweets must be an array');

  const expected = new Set(expectedRefs);
  const seen = new Set<string>();
  const tweets: TweetSentiment[] = answer.tweets.map((item: unknown, index: number) => {
    const path = `tweets[${index}]`;
    const entry = asRecord(item, path);
    checkFields(entry, TWEET_FIELDS, `${path}.`);
    if (typeof entry.ref !== 'string') fail(`${path}.ref must be a string`);
    const ref = entry.ref;
    if (!expected.has(ref)) fail(`${path}.ref is not a reference the prompt gave`);
    if (seen.has(ref)) fail(`${path}.ref ${ref} appears twice`);
    seen.add(ref);
    return { ref, sentiment: sentimentAt(entry.sentiment, `${path}.sentiment`), score: scoreAt(entry.score, `${path}.score`) };
  });
  const missing = expectedRefs.filter((ref) => !seen.has(ref));
  if (missing.length > 0) fail(`tweets lacks ${missing.length} of the ${expectedRefs.length} references (first: ${missing[0]})`);
  return { overall, score, summary: answer.summary.trim(), tweets };
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function checkFields(record: Record<string, unknown>, fields: readonly string[], prefix: string): void {
  for (const field of fields) {
    if (!(field in record) || record[field] === undefined) fail(`${prefix}${field} is missing`);
  }
  const unknown = Object.keys(record).find((key) => !fields.includes(key));
  if (unknown !== undefined) fail(`${prefix}${unknown.slice(0, 40)} is not a field of the schema`);
}

function sentimentAt(value: unknown, path: string): SentimentLabel {
  const label = SENTIMENTS.find((candidate) => candidate === value);
  if (label === undefined) fail(`${path} must be one of ${SENTIMENTS.join(', ')}`);
  return label;
}

function scoreAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${path} must be a number`);
  if (value < -1 || value > 1) fail(`${path} must be between -1 and 1`);
  return value;
}

function fail(reason: string): never {
  throw new InvalidSentimentAnswerError(reason);
}
