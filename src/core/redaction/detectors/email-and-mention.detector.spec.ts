import { foundByDetector, foundInText } from '../testing/found-values';
import { createEmailAndMentionDetector } from './email-and-mention.detector';

describe(createEmailAndMentionDetector.name, () => {
  const withMentions = createEmailAndMentionDetector({ mentions: true });
  const withoutMentions = createEmailAndMentionDetector({ mentions: false });

  it.each([
    ['mail bob.smith@example.com today', 'bob.smith@example.com'],
    ['<jane_doe+news@mail.co.uk>', 'jane_doe+news@mail.co.uk'],
    ['Write to ALICE@Example.ORG.', 'ALICE@Example.ORG'],
    ['x-y.z%1@sub-domain.example.io, thanks', 'x-y.z%1@sub-domain.example.io'],
  ])('should find the email in %j', (text, email) => {
    expect(foundByDetector(withoutMentions, text)).toEqual([['EMAIL', email]]);
  });

  it.each([
    'meet me @ noon',
    'user@localhost',
    'name@example.c',
    'a@-bad-.com',
    '@@@',
    'trailing@',
  ])('should find no email in %j', (text) => {
    expect(foundByDetector(withoutMentions, text)).toEqual([]);
  });

  it.each([
    ['hi @alice!', '@alice'],
    ['(@Bob_99)', '@Bob_99'],
    ['@a', '@a'],
    ['thanks @fifteen_chars_x', '@fifteen_chars_x'],
  ])('should find the mention in %j when mentions are on', (text, mention) => {
    expect(foundByDetector(withMentions, text)).toEqual([['MENTION', mention]]);
  });

  it('should not find mentions when they are off', () => {
    expect(foundByDetector(withoutMentions, 'hi @alice')).toEqual([]);
  });

  it('should not take a handle longer than X allows for a mention', () => {
    expect(foundByDetector(withMentions, '@sixteen_chars_xy')).toEqual([]);
  });

  it('should not take the domain part of an email for a mention', () => {
    expect(foundByDetector(withMentions, 'bob@example.com and carol@host.org')).toEqual([
      ['EMAIL', 'bob@example.com'],
      ['EMAIL', 'carol@host.org'],
    ]);
  });

  it('should not take an @ inside a word for a mention', () => {
    expect(foundByDetector(withMentions, 'ab@cd')).toEqual([]);
  });

  it('should find emails and mentions side by side in the prompt profile', () => {
    expect(foundInText('@alice wrote to alice@example.com', 'prompt')).toEqual([
      ['MENTION', '@alice'],
      ['EMAIL', 'alice@example.com'],
    ]);
  });
});
