// Builds the sentiment prompt from stored tweets through the `prompt` redaction profile: every
// tweet becomes a line `[T<n>] <sanitized text>`, with placeholders ([USER_1], [EMAIL_1], ...) that
// stay the same across the run, and the whole prompt passes the pre-send validator before it may
// leave. The refs map back to tweet ids when the answer comes in.
import type { PromptSanitizer } from '../redaction';

export interface PromptTweet {
  tweetId: string;
  text: string;
}

export interface SentimentPrompt {
  system: string;
  user: string;
  /** `T1` -> the tweet id it stands for, in prompt order. */
  refs: Map<string, string>;
}

/**
 * Sensitive inferences are ruled out in so many words: the product never asks a model about
 * health, politics, religion or sexual orientation, and tells it not to volunteer them either.
 */
export const SENTIMENT_SYSTEM_PROMPT = [
  'You rate the emotional tone of a person\'s own social media posts, at their request.',
  'Each post is one line of the user message and starts with its reference in square brackets: the letter T and a number.',
  'Record your result with the record_sentiment tool: the overall sentiment and score (from -1, most negative, to 1, most positive),',
  'a one- or two-sentence summary of the tone, and exactly one entry per post with its reference (without brackets), sentiment and score.',
  'Judge the tone only. Do not infer, guess or mention the author\'s health, political opinions, religion or beliefs,',
  'or sexual orientation, even when a post touches on such a topic.',
  'Placeholders such as [USER_1], [EMAIL_1] or [URL_1] stand for removed personal data; do not try to work out what they were.',
].join(' ');

/** A ref written by the author inside a tweet must not look like one of ours. */
const REF_LOOKALIKE = /\[(T\d+)\]/gi;

export function refFor(index: number): string {
  return `T${index + 1}`;
}

export function buildSentimentPrompt(tweets: readonly PromptTweet[], sanitizer: PromptSanitizer): SentimentPrompt {
  const refs = new Map<string, string>();
  const lines = tweets.map((tweet, index) => {
    const ref = refFor(index);
    refs.set(ref, tweet.tweetId);
    const oneLine = tweet.text.replace(/\s+/g, ' ').replace(REF_LOOKALIKE, '($1)').trim();
    return `[${ref}] ${sanitizer.sanitize(oneLine)}`;
  });
  const user = `Posts (${tweets.length}):\n${lines.join('\n')}`;
  // The last check before anything leaves: throws PromptContainsPiiException if a detector still fires.
  sanitizer.assertClean(`${SENTIMENT_SYSTEM_PROMPT}\n${user}`);
  return { system: SENTIMENT_SYSTEM_PROMPT, user, refs };
}
