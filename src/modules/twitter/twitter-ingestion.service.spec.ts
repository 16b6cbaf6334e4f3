import { toStoredRow } from './twitter-ingestion.service';

describe(toStoredRow.name, () => {
  it('should redact PII from the text with the log profile before it is stored', () => {
    const createdAt = new Date('2026-11-01T10:00:00Z');

    const sut = toStoredRow({
      id: '1790000000000000001',
      text: 'Email jane.doe@example.com or call +1 415-555-0101, notes at https://example.com/a — thanks @friend',
      createdAt,
      lang: 'en',
    });

    expect(sut).toEqual({
      tweetId: '1790000000000000001',
      text: 'Email [EMAIL] or call [PHONE], notes at [URL] — thanks @friend',
      lang: 'en',
      tweetCreatedAt: createdAt,
    });
  });
});
