import { dailyLimitRetryAfterSeconds, dayWindowStart } from './daily-limit';

describe(dailyLimitRetryAfterSeconds.name, () => {
  const now = new Date('2026-12-03T12:00:00Z');

  it('should let a person under the cap through', () => {
    expect(dailyLimitRetryAfterSeconds([new Date('2026-12-03T11:00:00Z')], 2, now)).toBeNull();
  });

  it('should answer how long until the oldest request in the window leaves it', () => {
    const recent = [new Date('2026-12-03T11:00:00Z'), new Date('2026-12-02T13:00:00Z')];
    expect(dailyLimitRetryAfterSeconds(recent, 2, now)).toBe(3600);
  });

  it('should start the window 24 hours before now', () => {
    expect(dayWindowStart(now).toISOString()).toBe('2026-12-02T12:00:00.000Z');
  });
});
