import { analyseWithLexicon, labelFor, lexiconScore } from './lexicon-sentiment.analyser';
import { validateSentimentAnswer } from './sentiment-answer.validator';

describe(lexiconScore.name, () => {
  it('should score positive words positive and negative words negative', () => {
    expect(lexiconScore('Loving the new release, great work!')).toBe(1);
    expect(lexiconScore('This update is terrible and I hate it.')).toBe(-1);
  });

  it('should score a text without sentiment words 0', () => {
    expect(lexiconScore('Heading to the office for a meeting about the roadmap.')).toBe(0);
    expect(lexiconScore('')).toBe(0);
  });

  it('should flip the polarity of words after a negation', () => {
    expect(lexiconScore('This is not good.')).toBe(-1);
    expect(lexiconScore("I don't like it")).toBe(-1);
    expect(lexiconScore('Never bad, always fun')).toBe(1);
    expect(lexiconScore('I don’t hate it')).toBe(1);
  });

  it('should end the negation at punctuation and after a few words', () => {
    expect(lexiconScore('Not today. Great news!')).toBe(1);
    expect(lexiconScore('no way this could possibly be great')).toBe(1);
  });

  it('should balance mixed texts between -1 and 1', () => {
    expect(lexiconScore('Great phone, terrible battery, awesome screen')).toBe(0.33);
  });
});

describe(analyseWithLexicon.name, () => {
  it('should produce the record_sentiment shape for every ref, valid against the schema', () => {
    const inputs = [
      { ref: 'T1', text: 'Best coffee in town, happy Monday everyone' },
      { ref: 'T2', text: 'Flight delayed again, worst week of travel' },
      { ref: 'T3', text: 'Reading a book on the train' },
    ];

    const sut = analyseWithLexicon(inputs);

    expect(validateSentimentAnswer(sut, ['T1', 'T2', 'T3'])).toEqual(sut);
    expect(sut.tweets).toEqual([
      { ref: 'T1', sentiment: 'positive', score: 1 },
      { ref: 'T2', sentiment: 'negative', score: -1 },
      { ref: 'T3', sentiment: 'neutral', score: 0 },
    ]);
    expect(sut).toMatchObject({ overall: 'mixed', score: 0 });
    expect(sut.summary).toBe('3 posts: 1 positive, 1 negative, 1 neutral (local lexicon analysis).');
  });

  it('should call a clear lean positive or negative rather than mixed', () => {
    const sut = analyseWithLexicon([
      { ref: 'T1', text: 'great' },
      { ref: 'T2', text: 'amazing' },
      { ref: 'T3', text: 'awful' },
    ]);

    expect(sut).toMatchObject({ overall: 'positive', score: 0.33 });
  });

  it('should answer neutral with score 0 for no sentiment at all', () => {
    expect(analyseWithLexicon([{ ref: 'T1', text: 'on the train' }])).toMatchObject({ overall: 'neutral', score: 0 });
  });
});

describe(labelFor.name, () => {
  it('should use 0.2 as the polarity threshold', () => {
    expect(labelFor(0.21)).toBe('positive');
    expect(labelFor(0.2)).toBe('neutral');
    expect(labelFor(-0.2)).toBe('neutral');
    expect(labelFor(-0.21)).toBe('negative');
  });
});
