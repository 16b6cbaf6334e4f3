import { redactText } from './redact-text';

describe(redactText.name, () => {
  const text = 'Hi @alice, mail bob@example.com or call +44 20 7946 0958; see https://x.com/a';

  it('should replace each entity by its type in the log profile and keep mentions', () => {
    expect(redactText(text, 'log').text).toBe('Hi @alice, mail [EMAIL] or call [PHONE]; see [URL]');
  });

  it('should use numbered placeholders, mentions included, in the prompt profile', () => {
    expect(redactText(text, 'prompt').text).toBe('Hi [USER_1], mail [EMAIL_1] or call [PHONE_1]; see [URL_1]');
  });

  it('should default to the log profile', () => {
    expect(redactText('password=hunter2').text).toBe('password=[SECRET]');
  });

  it('should report offsets into the input text', () => {
    const { entities } = redactText(text, 'prompt');
    expect(entities.map(({ type, start, end }) => [type, text.slice(start, end)])).toEqual([
      ['MENTION', '@alice'],
      ['EMAIL', 'bob@example.com'],
      ['PHONE', '+44 20 7946 0958'],
      ['URL', 'https://x.com/a'],
    ]);
  });

  it('should give the same value the same placeholder within one call', () => {
    expect(redactText('@bob met @carol, then @Bob again; bob@x.io and BOB@x.io', 'prompt').text).toBe(
      '[USER_1] met [USER_2], then [USER_1] again; [EMAIL_1] and [EMAIL_1]',
    );
  });

  it('should start numbering again in the next call', () => {
    redactText('@first @second', 'prompt');
    expect(redactText('@third', 'prompt').text).toBe('[USER_1]');
  });

  it('should return text without entities unchanged', () => {
    const plain = 'Released v10.4.12 on 2024-01-15 at 12:30:45 for $1,299.99';
    expect(redactText(plain, 'log')).toEqual({ text: plain, entities: [] });
  });

  it('should handle the empty string', () => {
    expect(redactText('', 'prompt')).toEqual({ text: '', entities: [] });
  });

  it('should leave its own placeholders alone when run again', () => {
    const once = redactText('password=hunter2 "token": "abc" @alice a@b.io', 'prompt').text;
    expect(redactText(once, 'prompt')).toEqual({ text: once, entities: [] });
    const logged = redactText('password=hunter2 "token": "abc" a@b.io', 'log').text;
    expect(redactText(logged, 'log')).toEqual({ text: logged, entities: [] });
  });
});
