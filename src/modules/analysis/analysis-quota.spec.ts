import { ANALYSIS_MONTHLY_QUOTA, quotaMonthOf } from './analysis-quota';

describe(quotaMonthOf.name, () => {
  it('should span the calendar month in UTC', () => {
    expect(quotaMonthOf(new Date('2026-11-22T08:24:39Z'))).toEqual({
      start: new Date('2026-11-01T00:00:00.000Z'),
      end: new Date('2026-12-01T00:00:00.000Z'),
    });
  });

  it('should put the first and the last millisecond of a month in that month', () => {
    expect(quotaMonthOf(new Date('2026-03-01T00:00:00.000Z')).start).toEqual(new Date('2026-03-01T00:00:00.000Z'));
    expect(quotaMonthOf(new Date('2026-03-31T23:59:59.999Z')).end).toEqual(new Date('2026-04-01T00:00:00.000Z'));
    expect(quotaMonthOf(new Date('2026-04-01T00:00:00.000Z')).start).toEqual(new Date('2026-04-01T00:00:00.000Z'));
  });

  it('should roll December over into January of the next year', () => {
    expect(quotaMonthOf(new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      start: new Date('2026-12-01T00:00:00.000Z'),
      end: new Date('2027-01-01T00:00:00.000Z'),
    });
  });

  it('should handle February of a leap year', () => {
    expect(quotaMonthOf(new Date('2028-02-29T12:00:00Z')).end).toEqual(new Date('2028-03-01T00:00:00.000Z'));
  });

  it('should use UTC, not the local time zone of an offset timestamp', () => {
    // 23:30 on 31 January in New York is already 1 February in UTC.
    expect(quotaMonthOf(new Date('2026-01-31T23:30:00-05:00')).start).toEqual(new Date('2026-02-01T00:00:00.000Z'));
  });
});

describe('ANALYSIS_MONTHLY_QUOTA', () => {
  it('should allow basic 100 and pro 1000 analysis runs a month', () => {
    expect(ANALYSIS_MONTHLY_QUOTA).toEqual({ basic: 100, pro: 1000 });
  });
});
