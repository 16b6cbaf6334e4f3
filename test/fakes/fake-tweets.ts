// Tweet data for the fake X server: snowflake ids, deterministic generated timelines with PII, and
// the `entities` X derives from a tweet's text.

/** X's snowflake epoch (2010-11-04T01:42:54.657Z): ids built on it sort by creation time, as on X. */
export const TWITTER_EPOCH_MS = 1288834974657;

export type FakePiiKind = 'EMAIL' | 'PHONE' | 'MENTION' | 'URL';

export interface FakePublicMetrics {
  retweet_count: number;
  reply_count: number;
  like_count: number;
  quote_count: number;
  bookmark_count: number;
  impression_count: number;
}

/** What a test gives `seedTweets`; everything but `text` is optional. */
export interface FakeTweetSeed {
  /** Numeric string; derived from `createdAt` when left out. */
  id?: string;
  text: string;
  createdAt?: Date | string;
  lang?: string;
  publicMetrics?: Partial<FakePublicMetrics>;
  /** The PII kinds the generator put into `text`, so tests know what redaction must catch. */
  pii?: FakePiiKind[];
}

/** A tweet as the fake stores it. */
export interface FakeTweet {
  id: string;
  authorId: string;
  text: string;
  createdAt: Date;
  lang: string;
  publicMetrics: FakePublicMetrics;
  pii: FakePiiKind[];
}

export interface TweetEntities {
  mentions?: { start: number; end: number; username: string }[];
  urls?: { start: number; end: number; url: string; expanded_url: string; display_url: string }[];
  hashtags?: { start: number; end: number; tag: string }[];
}

/** A snowflake for `date`; `sequence` keeps ids of the same millisecond distinct. */
export function snowflakeFor(date: Date, sequence: number): string {
  const ms = BigInt(Math.max(0, date.getTime() - TWITTER_EPOCH_MS));
  return ((ms << 22n) | BigInt(sequence & 0x3fffff)).toString();
}

/** The creation time encoded in a snowflake id. */
export function dateOfSnowflake(id: string): Date {
  return new Date(Number(BigInt(id) >> 22n) + TWITTER_EPOCH_MS);
}

export function compareIdsDescending(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x > y ? -1 : 1;
}

export interface GenerateTweetsOptions {
  /** Creation time of the newest generated tweet (default: now). */
  endAt?: Date;
  /** Spacing between consecutive tweets (default: one hour). */
  intervalMs?: number;
  /** Every n-th tweet (1-based) carries PII; 0 disables PII (default 3). */
  piiEvery?: number;
}

const PLAIN_TEXTS: readonly string[] = [
  'Loving the new release, great work by the whole team!',
  'This update is terrible, the app keeps crashing and I hate it.',
  'Heading to the office, then a long meeting about the roadmap.',
  'Best coffee in town this morning, happy Monday everyone.',
  'Really disappointed with the support today, awful experience.',
  'Reading a book about distributed systems on the train.',
  'Amazing sunset tonight, thanks to everyone who came along.',
  'Flight delayed again, worst week of travel this year.',
];

function piiText(index: number): { text: string; pii: FakePiiKind[] } {
  // Fictional ranges only: example.com/mail.test addresses, 555-01xx and Ofcom drama numbers.
  const n = index % 100;
  const two = String(n).padStart(2, '0');
  switch (index % 5) {
    case 0:
      return { text: `Email me at jane.doe${n}@example.com about the launch, great news!`, pii: ['EMAIL'] };
    case 1:
      return { text: `Call me on +1 415-555-01${two} if the outage continues, this is bad.`, pii: ['PHONE'] };
    case 2:
      return { text: `Thanks @friend_${n} for the great tips on hiking!`, pii: ['MENTION'] };
    case 3:
      return { text: `Read my thoughts at https://example.com/posts/${n} and tell me what you think.`, pii: ['URL'] };
    default:
      return {
        text: `Ping @alice${n} or write to alice${n}@mail.test, phone +44 20 7946 00${two}, notes at https://blog.example.org/a/${n}`,
        pii: ['MENTION', 'EMAIL', 'PHONE', 'URL'],
      };
  }
}

/**
 * `count` deterministic tweets, oldest first, some carrying PII (emails, phone numbers, @handles,
 * URLs) so ingestion and prompt tests have something to redact.
 */
export function generateFakeTweets(count: number, options: GenerateTweetsOptions = {}): FakeTweetSeed[] {
  const endAt = (options.endAt ?? new Date()).getTime();
  const intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  const piiEvery = options.piiEvery ?? 3;
  const seeds: FakeTweetSeed[] = [];
  for (let i = 0; i < count; i++) {
    const position = i + 1;
    const createdAt = new Date(endAt - (count - 1 - i) * intervalMs);
    const withPii = piiEvery > 0 && position % piiEvery === 0;
    const { text, pii } = withPii
      ? piiText(position / piiEvery - 1)
      : { text: PLAIN_TEXTS[i % PLAIN_TEXTS.length] ?? '', pii: [] as FakePiiKind[] };
    seeds.push({ text, createdAt, lang: 'en', pii, publicMetrics: { like_count: i % 7, retweet_count: i % 3 } });
  }
  return seeds;
}

const MENTION = /(^|[^\w@])@(\w{1,15})\b/g;
const URL_PATTERN = /https?:\/\/[^\s]+/g;
const HASHTAG = /(^|[^\w#])#(\w+)/g;

/** The minimal `entities` object X attaches when `tweet.fields=entities` is asked for. */
export function extractEntities(text: string): TweetEntities {
  const entities: TweetEntities = {};
  const mentions = [...text.matchAll(MENTION)].map((m) => {
    const start = (m.index ?? 0) + (m[1] ?? '').length;
    const username = m[2] ?? '';
    return { start, end: start + username.length + 1, username };
  });
  if (mentions.length > 0) {
    entities.mentions = mentions;
  }
  const urls = [...text.matchAll(URL_PATTERN)].map((m) => {
    const start = m.index ?? 0;
    const url = m[0];
    return { start, end: start + url.length, url, expanded_url: url, display_url: url.replace(/^https?:\/\//, '') };
  });
  if (urls.length > 0) {
    entities.urls = urls;
  }
  const hashtags = [...text.matchAll(HASHTAG)].map((m) => {
    const start = (m.index ?? 0) + (m[1] ?? '').length;
    const tag = m[2] ?? '';
    return { start, end: start + tag.length + 1, tag };
  });
  if (hashtags.length > 0) {
    entities.hashtags = hashtags;
  }
  return entities;
}
