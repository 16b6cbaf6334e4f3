import { AnalysisErrorCode, InvalidSentimentAnswerError } from './analysis.exception';
import { validateSentimentAnswer } from './sentiment-answer.validator';

const REFS = ['T1', 'T2'];

function validAnswer(): Record<string, unknown> {
  return {
    overall: 'mixed',
    score: 0.05,
    summary: 'One happy post and one unhappy one.',
    tweets: [
      { ref: 'T1', sentiment: 'positive', score: 0.8 },
      { ref: 'T2', sentiment: 'negative', score: -0.7 },
    ],
  };
}

function reasonOf(input: unknown, refs: readonly string[] = REFS): string {
  try {
    validateSentimentAnswer(input, refs);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSentimentAnswerError);
    expect((error as InvalidSentimentAnswerError).code).toBe(AnalysisErrorCode.ANALYSIS_INVALID_ANSWER);
    return (error as Error).message;
  }
  throw new Error('expected the answer to be refused');
}

describe(validateSentimentAnswer.name, () => {
  it('should accept an answer matching the schema and return it typed', () => {
    const sut = validateSentimentAnswer(validAnswer(), REFS);

    expect(sut).toEqual(validAnswer());
  });

  it('should accept the score bounds -1 and 1', () => {
    const answer = { ...validAnswer(), score: -1, tweets: [{ ref: 'T1', sentiment: 'negative', score: -1 }, { ref: 'T2', sentiment: 'positive', score: 1 }] };

    expect(validateSentimentAnswer(answer, REFS).score).toBe(-1);
  });

  it.each([
    ['a string', 'positive'],
    ['null', null],
    ['an array', []],
  ])('should refuse %s instead of an object', (_label, input) => {
    expect(reasonOf(input)).toContain('the answer must be an object');
  });

  it.each(['overall', 'score', 'summary', 'tweets'])('should refuse an answer missing %s', (field) => {
    const answer = validAnswer();
    delete answer[field];

    expect(reasonOf(answer)).toContain(`${field} is missing`);
  });

  it('should refuse unknown fields at the top and in tweets', () => {
    expect(reasonOf({ ...validAnswer(), confidence: 0.9 })).toContain('confidence is not a field of the schema');
    const answer = validAnswer();
    answer.tweets = [{ ref: 'T1', sentiment: 'positive', score: 0.8, topic: 'work' }, { ref: 'T2', sentiment: 'negative', score: -0.7 }];
    expect(reasonOf(answer)).toContain('tweets[0].topic is not a field of the schema');
  });

  it.each([
    ['overall', { overall: 'ecstatic' }, 'overall must be one of positive, negative, neutral, mixed'],
    ['score above 1', { score: 1.01 }, 'score must be between -1 and 1'],
    ['score below -1', { score: -7 }, 'score must be between -1 and 1'],
    ['a string score', { score: '0.5' }, 'score must be a number'],
    ['a NaN score', { score: Number.NaN }, 'score must be a number'],
    ['an empty summary', { summary: '  ' }, 'summary must be a non-empty string'],
    ['a numeric summary', { summary: 42 }, 'summary must be a non-empty string'],
    ['tweets not an array', { tweets: 'none' }, 'tweets must be an array'],
  ])('should refuse %s', (_label, change, reason) => {
    expect(reasonOf({ ...validAnswer(), ...change })).toContain(reason);
  });

  it("should refuse the fake's canned malformed answer", () => {
    expect(reasonOf({ overall: 'ecstatic', score: 7, summary: 42, tweets: 'none' })).toContain('overall must be one of');
  });

  it('should refuse a ref the prompt did not give', () => {
    const answer = validAnswer();
    answer.tweets = [{ ref: 'T1', sentiment: 'positive', score: 0.8 }, { ref: 'T9', sentiment: 'negative', score: -0.7 }];

    expect(reasonOf(answer)).toContain('tweets[1].ref is not a reference the prompt gave');
  });

  it('should refuse a ref given twice and a ref left out', () => {
    const twice = validAnswer();
    twice.tweets = [{ ref: 'T1', sentiment: 'positive', score: 0.8 }, { ref: 'T1', sentiment: 'negative', score: -0.7 }];
    expect(reasonOf(twice)).toContain('tweets[1].ref T1 appears twice');

    const missing = validAnswer();
    missing.tweets = [{ ref: 'T1', sentiment: 'positive', score: 0.8 }];
    expect(reasonOf(missing)).toContain('tweets lacks 1 of the 2 references (first: T2)');
  });

  it('should refuse an out-of-range or mislabelled tweet entry', () => {
    const answer = validAnswer();
    answer.tweets = [{ ref: 'T1', sentiment: 'great', score: 0.8 }, { ref: 'T2', sentiment: 'negative', score: -0.7 }];
    expect(reasonOf(answer)).toContain('tweets[0].sentiment must be one of');

    answer.tweets = [{ ref: 'T1', sentiment: 'positive', score: 2 }, { ref: 'T2', sentiment: 'negative', score: -0.7 }];
    expect(reasonOf(answer)).toContain('tweets[0].score must be between -1 and 1');
  });

  it("should not echo the model's text in its reason", () => {
    const reason = reasonOf({ ...validAnswer(), overall: 'call me at jane@example.com' });

    expect(reason).not.toContain('jane@example.com');
  });
});
