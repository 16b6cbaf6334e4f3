import { foundByDetector } from '../testing/found-values';
import { urlDetector } from './url.detector';

describe('urlDetector', () => {
  it.each([
    ['see https://example.com/a?b=1&c=2#x now', 'https://example.com/a?b=1&c=2#x'],
    ['http://sub.example.org', 'http://sub.example.org'],
    ['HTTPS://EXAMPLE.COM/PATH', 'HTTPS://EXAMPLE.COM/PATH'],
    ['go to www.example.co.uk/news.', 'www.example.co.uk/news'],
    ['(https://example.com/x)', 'https://example.com/x'],
    ['read https://en.wikipedia.org/wiki/Foo_(bar), ok', 'https://en.wikipedia.org/wiki/Foo_(bar)'],
    ['"https://example.com/q?email=a@b.com"', 'https://example.com/q?email=a@b.com'],
    ['link: https://t.co/AbC123!', 'https://t.co/AbC123'],
  ])('should find the URL in %j', (text, url) => {
    expect(foundByDetector(urlDetector, text)).toEqual([['URL', url]]);
  });

  it.each(['example.com', 'ftp://example.com', 'https://', 'awww.example.com', 'mailto:bob@example.com', 'http: //x'])(
    'should find no URL in %j',
    (text) => {
      expect(foundByDetector(urlDetector, text)).toEqual([]);
    },
  );
});
