// The shape of a sentiment result (PRODUCT.md 3a): what the model records through the forced
// `record_sentiment` tool, and what the local lexicon analyser produces too.
import type { Tool } from '@anthropic-ai/sdk/resources/messages';

export const SENTIMENTS = ['positive', 'negative', 'neutral', 'mixed'] as const;
export type SentimentLabel = (typeof SENTIMENTS)[number];

export interface TweetSentiment {
  /** The placeholder id the prompt gave the tweet, e.g. `T1`. */
  ref: string;
  sentiment: SentimentLabel;
  score: number;
}

export interface SentimentAnswer {
  overall: SentimentLabel;
  /** In [-1, 1]: -1 most negative, 1 most positive. */
  score: number;
  summary: string;
  tweets: TweetSentiment[];
}

export const RECORD_SENTIMENT_TOOL_NAME = 'record_sentiment';

export const RECORD_SENTIMENT_TOOL: Tool = {
  name: RECORD_SENTIMENT_TOOL_NAME,
  description: 'Record the sentiment of the posts: overall, and one entry per post reference.',
  input_schema: {
    type: 'object',
    properties: {
      overall: { type: 'string', enum: [...SENTIMENTS] },
      score: { type: 'number', minimum: -1, maximum: 1 },
      summary: { type: 'string', description: 'One or two sentences on the tone of the posts.' },
      tweets: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            ref: { type: 'string', description: 'The reference of the post, without brackets (e.g. T1).' },
            sentiment: { type: 'string', enum: [...SENTIMENTS] },
            score: { type: 'number', minimum: -1, maximum: 1 },
          },
          required: ['ref', 'sentiment', 'score'],
          additionalProperties: false,
        },
      },
    },
    required: ['overall', 'score', 'summary', 'tweets'],
    additionalProperties: false,
  },
};
