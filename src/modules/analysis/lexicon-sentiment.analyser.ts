// The local analyser used when no ANTHROPIC_API_KEY is configured: small word lists with negation
// ("not good", "don't like", "never happy" flip the polarity of the next few words). It produces the
// same shape as the model's record_sentiment answer, so results are stored and shown the same way.
import { SentimentAnswer, SentimentLabel, TweetSentiment } from './sentiment';

export const LEXICON_MODEL = 'lexicon-v1';

const POSITIVE = new Set([
  'love', 'loved', 'loving', 'like', 'liked', 'great', 'good', 'happy', 'glad', 'excellent', 'awesome', 'amazing',
  'wonderful', 'fantastic', 'best', 'better', 'nice', 'enjoy', 'enjoyed', 'thanks', 'thank', 'grateful', 'excited',
  'beautiful', 'brilliant', 'perfect', 'fun', 'win', 'won', 'proud', 'recommend', 'helpful', 'easy', 'fast', 'cool',
]);

const NEGATIVE = new Set([
  'hate', 'hated', 'bad', 'terrible', 'awful', 'horrible', 'worst', 'worse', 'sad', 'angry', 'annoying', 'annoyed',
  'disappointed', 'disappointing', 'broken', 'crash', 'crashing', 'crashed', 'fail', 'failed', 'failure', 'poor',
  'slow', 'delayed', 'delay', 'problem', 'issue', 'bug', 'ugly', 'boring', 'useless', 'wrong', 'upset', 'lost', 'lose',
]);

const NEGATORS = new Set(['not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'without', 'hardly', 'cannot']);
/** How many words after a negator it still applies to (ends early at punctuation). */
const NEGATION_SCOPE = 3;
/** A tweet or a set of tweets is positive above this score and negative below its opposite. */
const POLARITY_THRESHOLD = 0.2;

export interface LexiconInput {
  ref: string;
  text: string;
}

/** Scores one text in [-1, 1]: (positive - negative) / (positive + negative) over the sentiment words found. */
export function lexiconScore(text: string): number {
  const tokens = text.toLowerCase().replace(/[\u2018\u2019]/g, "'").match(/[a-z]+(?:'[a-z]+)?|[.!?;,]/g) ?? [];
  let positive = 0;
  let negative = 0;
  let negatedFor = 0;
  for (const token of tokens) {
    if (/^[.!?;,]$/.test(token)) {
      negatedFor = 0;
      continue;
    }
    if (NEGATORS.has(token) || token.endsWith("n't")) {
      negatedFor = NEGATION_SCOPE;
      continue;
    }
    const polarity = POSITIVE.has(token) ? 1 : NEGATIVE.has(token) ? -1 : 0;
    const effective = negatedFor > 0 ? -polarity : polarity;
    if (effective > 0) positive += 1;
    if (effective < 0) negative += 1;
    if (negatedFor > 0) negatedFor -= 1;
  }
  return positive + negative === 0 ? 0 : round((positive - negative) / (positive + negative));
}

export function labelFor(score: number): SentimentLabel {
  return score > POLARITY_THRESHOLD ? 'positive' : score < -POLARITY_THRESHOLD ? 'negative' : 'neutral';
}

export function analyseWithLexicon(inputs: readonly LexiconInput[]): SentimentAnswer {
  const tweets: TweetSentiment[] = inputs.map(({ ref, text }) => {
    const score = lexiconScore(text);
    return { ref, sentiment: labelFor(score), score };
  });
  const score = tweets.length === 0 ? 0 : round(tweets.reduce((sum, tweet) => sum + tweet.score, 0) / tweets.length);
  const positives = tweets.filter((tweet) => tweet.sentiment === 'positive').length;
  const negatives = tweets.filter((tweet) => tweet.sentiment === 'negative').length;
  const neutrals = tweets.length - positives - negatives;
  // Clearly both ways and no clear lean: mixed rather than neutral.
  const overall: SentimentLabel = positives > 0 && negatives > 0 && Math.abs(score) <= POLARITY_THRESHOLD ? 'mixed' : labelFor(score);
  return {
    overall,
    score,
    summary: `${tweets.length} posts: ${positives} positive, ${negatives} negative, ${neutrals} neutral (local lexicon analysis).`,
    tweets,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
