import { redactionTally } from '../../core/redaction';
import { PromptSanitizer } from './prompt-sanitizer';
import { PromptContainsPiiException, RedactionErrorCode } from './redaction.exception';

describe(PromptSanitizer.name, () => {
  let sut: PromptSanitizer;

  beforeEach(() => {
    sut = new PromptSanitizer();
  });

  it('should keep placeholders stable across calls', () => {
    expect(sut.sanitize('@alice loves this')).toBe('[USER_1] loves this');
    expect(sut.sanitize('@bob replied to @Alice')).toBe('[USER_2] replied to [USER_1]');
    expect(sut.sanitize('mail alice@example.com, see https://x.com/1')).toBe('mail [EMAIL_1], see [URL_1]');
    expect(sut.sanitize('again alice@example.com')).toBe('again [EMAIL_1]');
  });

  it('should not share placeholders with another sanitizer', () => {
    sut.sanitize('@alice');
    expect(new PromptSanitizer().sanitize('@bob')).toBe('[USER_1]');
  });

  it('should pass a prompt built from sanitized text', () => {
    const tweets = ['@alice: great day! call me +1 202 555 0143', 'my card 4111 1111 1111 1111 got declined', 'password=hunter2 lol'];
    const prompt = `Rate the sentiment:\n${tweets.map((tweet, i) => `T${i + 1}: ${sut.sanitize(tweet)}`).join('\n')}`;
    expect(() => sut.assertClean(prompt)).not.toThrow();
  });

  it('should refuse a prompt that still holds personal data, naming types but never values', () => {
    const prompt = `Summarise: ${sut.sanitize('@alice')} wrote to carol@example.com from 10.0.0.1 and 192.168.0.1`;
    let thrown: unknown;
    try {
      sut.assertClean(prompt);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PromptContainsPiiException);
    const error = thrown as PromptContainsPiiException;
    expect(error.code).toBe(RedactionErrorCode.PROMPT_CONTAINS_PII);
    expect(error.types).toEqual(['EMAIL', 'IP_ADDRESS']);
    expect(error.message).toContain('EMAIL');
    expect(error.message).toContain('IP_ADDRESS');
    expect(error.message).not.toContain('carol');
    expect(error.message).not.toContain('10.0.0.1');
  });

  it('should count what it redacted in the redaction tally, under the prompt profile', () => {
    const before = promptCounts();
    new PromptSanitizer().sanitize('@alice and bob@example.com');
    const after = promptCounts();
    expect(after.MENTION - before.MENTION).toBe(1);
    expect(after.EMAIL - before.EMAIL).toBe(1);
    expect(after.PHONE - before.PHONE).toBe(0);
  });
});

function promptCounts(): Record<string, number> {
  return Object.fromEntries(redactionTally.snapshot().filter((entry) => entry.profile === 'prompt').map((entry) => [entry.type, entry.count]));
}
