import { Findings } from './detectors/detector';
import { resolveOverlaps } from './resolve-overlaps';
import { foundInText } from './testing/found-values';

describe(resolveOverlaps.name, () => {
  const findings = (partial: Partial<Findings>): Findings => ({ entities: [], lookAlikes: [], ...partial });

  it('should keep the longest of two overlapping entities and cover both', () => {
    const resolved = resolveOverlaps(
      findings({
        entities: [
          { type: 'EMAIL', start: 14, end: 30 },
          { type: 'URL', start: 0, end: 30 },
        ],
      }),
    );
    expect(resolved).toEqual([{ type: 'URL', start: 0, end: 30 }]);
  });

  it('should prefer the more specific type on equal length', () => {
    const resolved = resolveOverlaps(
      findings({
        entities: [
          { type: 'PHONE', start: 0, end: 16 },
          { type: 'CREDIT_CARD', start: 0, end: 16 },
        ],
      }),
    );
    expect(resolved).toEqual([{ type: 'CREDIT_CARD', start: 0, end: 16 }]);
  });

  it('should merge a chain of partial overlaps into one span', () => {
    const resolved = resolveOverlaps(
      findings({
        entities: [
          { type: 'PHONE', start: 0, end: 10 },
          { type: 'US_SSN', start: 8, end: 19 },
          { type: 'PHONE', start: 30, end: 40 },
        ],
      }),
    );
    expect(resolved).toEqual([
      { type: 'US_SSN', start: 0, end: 19 },
      { type: 'PHONE', start: 30, end: 40 },
    ]);
  });

  it('should drop digit-group entities that start inside a look-alike', () => {
    const resolved = resolveOverlaps(
      findings({ entities: [{ type: 'PHONE', start: 10, end: 24 }], lookAlikes: [{ start: 0, end: 27 }] }),
    );
    expect(resolved).toEqual([]);
  });

  it('should shorten a phone number to its last valid end before a neighbour', () => {
    const resolved = resolveOverlaps(
      findings({
        entities: [
          { type: 'PHONE', start: 0, end: 20, shorterEnds: [11, 15] },
          { type: 'CREDIT_CARD', start: 16, end: 35 },
        ],
      }),
    );
    expect(resolved).toEqual([
      { type: 'PHONE', start: 0, end: 15 },
      { type: 'CREDIT_CARD', start: 16, end: 35 },
    ]);
  });

  it('should return the entities sorted by position', () => {
    const resolved = resolveOverlaps(
      findings({
        entities: [
          { type: 'EMAIL', start: 20, end: 30 },
          { type: 'URL', start: 0, end: 10 },
        ],
      }),
    );
    expect(resolved.map((entity) => entity.start)).toEqual([0, 20]);
  });

  it('should make a URL that contains an email one URL entity', () => {
    expect(foundInText('see https://example.com/u?email=bob@example.com now', 'prompt')).toEqual([
      ['URL', 'https://example.com/u?email=bob@example.com'],
    ]);
  });

  it('should make a URL that contains credentials one URL entity', () => {
    expect(foundInText('GET https://api.example.com/cb?access_token=abc123&x=1')).toEqual([
      ['URL', 'https://api.example.com/cb?access_token=abc123&x=1'],
    ]);
  });

  it('should not report the domain of an email as a mention', () => {
    expect(foundInText('mail bob@example.com', 'prompt')).toEqual([['EMAIL', 'bob@example.com']]);
  });
});
