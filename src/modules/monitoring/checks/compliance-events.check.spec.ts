import { ManualClock } from '../../../core/clock/clock';
import { maskUserId } from '../../../core/redaction/mask-user-id';
import { ComplianceEventKind } from '../entities/compliance-event.entity';
import { copyThresholds } from '../monitoring.thresholds';
import { InMemoryMonitoringRepository } from '../testing/in-memory-monitoring.repository';
import { AlertKind } from './alert-condition';
import { ComplianceEventsCheck } from './compliance-events.check';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = new Date('2026-03-01T12:00:00.000Z');

function setup() {
  const repository = new InMemoryMonitoringRepository();
  const clock = new ManualClock(NOW);
  const sut = new ComplianceEventsCheck(repository, copyThresholds());
  const ago = (ms: number) => new Date(clock.nowMs() - ms);
  return { sut, repository, clock, ago };
}

describe(ComplianceEventsCheck.name, () => {
  const cases = [
    { name: 'rate-limit violations', event: ComplianceEventKind.RATE_LIMIT_REJECTED, kind: AlertKind.RATE_LIMIT_VIOLATIONS, max: 10, window: HOUR },
    { name: 'token refresh failures', event: ComplianceEventKind.TOKEN_REFRESH_FAILED, kind: AlertKind.TOKEN_REFRESH_FAILURES, max: 3, window: 24 * HOUR },
    { name: 'quota-exceeded attempts', event: ComplianceEventKind.QUOTA_EXCEEDED, kind: AlertKind.QUOTA_EXCEEDED_ATTEMPTS, max: 5, window: 12 * HOUR },
  ];

  describe.each(cases)('$name (> $max per user)', ({ event, kind, max, window }) => {
    it(`should raise nothing for exactly ${max} events in the window`, async () => {
      const { sut, repository, clock, ago } = setup();
      repository.addEvents(event, 'user-alice-0001', max, ago(MINUTE));
      const outcome = await sut.run(clock.now());
      expect(outcome.conditions).toEqual([]);
      expect(outcome.evaluated).toContain(kind);
    });

    it(`should raise a condition for ${max + 1} events, with the user id masked`, async () => {
      const { sut, repository, clock, ago } = setup();
      repository.addEvents(event, 'user-alice-0001', max, ago(MINUTE));
      repository.addEvents(event, 'user-alice-0001', 1, clock.now());
      const outcome = await sut.run(clock.now());
      expect(outcome.conditions).toEqual([
        {
          kind,
          severity: 'warning',
          subject: maskUserId('user-alice-0001'),
          message: expect.stringMatching(new RegExp(`^${max + 1} .+ \\(threshold ${max}\\)$`)),
          observed: max + 1,
        },
      ]);
      expect(JSON.stringify(outcome)).not.toContain('user-alice');
    });

    it('should ignore events older than the window, including one exactly a window old', async () => {
      const { sut, repository, clock, ago } = setup();
      repository.addEvents(event, 'user-bob-0002', max, ago(MINUTE));
      repository.addEvents(event, 'user-bob-0002', 1, ago(window));
      repository.addEvents(event, 'user-bob-0002', 5, ago(window + HOUR));
      expect((await sut.run(clock.now())).conditions).toEqual([]);

      repository.addEvents(event, 'user-bob-0002', 1, ago(window - 1));
      expect((await sut.run(clock.now())).conditions).toHaveLength(1);
    });

    it('should count each user on their own and ignore other kinds of events', async () => {
      const { sut, repository, clock, ago } = setup();
      repository.addEvents(event, 'user-carol-0003', max, ago(MINUTE));
      repository.addEvents(event, 'user-dave-0004', max, ago(MINUTE));
      repository.addEvents(event, null, max + 5, ago(MINUTE));
      const other = cases.find((candidate) => candidate.event !== event)!;
      repository.addEvents(other.event, 'user-carol-0003', 1, ago(MINUTE));
      const outcome = await sut.run(clock.now());
      expect(outcome.conditions.filter((condition) => condition.kind === kind)).toEqual([]);
    });
  });

  it('should keep one condition per masked subject when two users share their last 4 characters', async () => {
    const { sut, repository, clock, ago } = setup();
    repository.addEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'alpha-7777', 11, ago(MINUTE));
    repository.addEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'omega-7777', 15, ago(MINUTE));
    const { conditions } = await sut.run(clock.now());
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({ subject: '****7777', observed: 15 });
  });

  it('should follow lowered thresholds', async () => {
    const repository = new InMemoryMonitoringRepository();
    const thresholds = copyThresholds();
    thresholds.rateLimitViolations = { max: 1, windowMs: MINUTE };
    const sut = new ComplianceEventsCheck(repository, thresholds);
    repository.addEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'user-eve-0005', 2, new Date(NOW.getTime() - 1000));
    expect((await sut.run(NOW)).conditions).toEqual([expect.objectContaining({ message: '2 outbound rate-limit rejections in the last 1 min (threshold 1)' })]);
  });
});
