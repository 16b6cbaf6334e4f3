import { Logger } from '@nestjs/common';
import { ApiRequestError } from 'twitter-api-v2';
import { ManualClock } from '../../core/clock/clock';
import type { AppConfig } from '../../core/config/app-config';
import { ProviderResponseError } from '../../core/rate-limit/rate-limit.exception';
import {
  admitCall,
  CircuitBreakerOptions,
  circuitStateOf,
  CLOSED_CIRCUIT,
  CircuitSnapshot,
  recordCallFailure,
  recordCallSuccess,
} from './circuit-breaker';
import { MemoryCircuitBreakerStore } from './circuit-breaker.store';
import { TwitterErrorCode, XCircuitOpenError } from './twitter.exception';
import { isXFailure, XCircuitBreaker } from './x-circuit-breaker';

const OPTIONS: CircuitBreakerOptions = { failureThreshold: 3, cooldownMs: 10_000, probeTimeoutMs: 2_000 };
const T0 = 1_800_000_000_000;

function failTimes(times: number, from: CircuitSnapshot = CLOSED_CIRCUIT, now = T0): CircuitSnapshot {
  let snapshot = from;
  for (let i = 0; i < times; i++) snapshot = recordCallFailure(snapshot, now, OPTIONS);
  return snapshot;
}

describe('circuit breaker transitions', () => {
  it('should stay closed below the failure threshold', () => {
    const snapshot = failTimes(2);

    expect(circuitStateOf(snapshot, T0, OPTIONS)).toBe('closed');
    expect(admitCall(snapshot, T0, OPTIONS).admission).toEqual({ allowed: true, state: 'closed', probe: false });
  });

  it('should open at the threshold and refuse calls until the cool-down ends', () => {
    const snapshot = failTimes(3);

    expect(snapshot.openedAt).toBe(T0);
    expect(admitCall(snapshot, T0 + 4_000, OPTIONS).admission).toEqual({ allowed: false, state: 'open', retryAfterMs: 6_000 });
    expect(circuitStateOf(snapshot, T0 + 9_999, OPTIONS)).toBe('open');
  });

  it('should count consecutive failures only: a success in between starts again', () => {
    const twoFailures = failTimes(2);

    const afterSuccess = failTimes(2, recordCallSuccess());

    expect(circuitStateOf(failTimes(1, twoFailures), T0, OPTIONS)).toBe('open');
    expect(circuitStateOf(afterSuccess, T0, OPTIONS)).toBe('closed');
  });

  it('should half-open after the cool-down and let exactly one probe through', () => {
    const open = failTimes(3);

    const first = admitCall(open, T0 + 10_000, OPTIONS);
    const second = admitCall(first.next, T0 + 10_500, OPTIONS);

    expect(first.admission).toEqual({ allowed: true, state: 'half_open', probe: true });
    expect(second.admission).toEqual({ allowed: false, state: 'half_open', retryAfterMs: 1_500 });
  });

  it('should let another probe through when the first one timed out', () => {
    const probing = admitCall(failTimes(3), T0 + 10_000, OPTIONS).next;

    expect(admitCall(probing, T0 + 12_000, OPTIONS).admission).toMatchObject({ allowed: true, probe: true });
  });

  it('should close after a successful probe', () => {
    const probing = admitCall(failTimes(3), T0 + 10_000, OPTIONS).next;

    const closed = recordCallSuccess();

    expect(probing.probeUntil).toBe(T0 + 12_000);
    expect(closed).toEqual(CLOSED_CIRCUIT);
    expect(admitCall(closed, T0 + 10_001, OPTIONS).admission).toMatchObject({ allowed: true, state: 'closed' });
  });

  it('should open again for a whole cool-down after a failed probe', () => {
    const probing = admitCall(failTimes(3), T0 + 10_000, OPTIONS).next;

    const reopened = recordCallFailure(probing, T0 + 10_300, OPTIONS);

    expect(reopened).toMatchObject({ openedAt: T0 + 10_300, probeUntil: null });
    expect(admitCall(reopened, T0 + 20_000, OPTIONS).admission).toEqual({ allowed: false, state: 'open', retryAfterMs: 300 });
  });
});

describe(MemoryCircuitBreakerStore.name, () => {
  it('should keep one circuit per name', async () => {
    const sut = new MemoryCircuitBreakerStore();
    for (let i = 0; i < 3; i++) await sut.recordFailure('x:a', T0, OPTIONS);

    expect(await sut.admit('x:a', T0, OPTIONS)).toMatchObject({ allowed: false, state: 'open' });
    expect(await sut.admit('x:b', T0, OPTIONS)).toMatchObject({ allowed: true, state: 'closed' });
  });

  it('should report the state after a failure', async () => {
    const sut = new MemoryCircuitBreakerStore();

    expect(await sut.recordFailure('x', T0, OPTIONS)).toBe('closed');
    expect(await sut.recordFailure('x', T0, OPTIONS)).toBe('closed');
    expect(await sut.recordFailure('x', T0, OPTIONS)).toBe('open');
  });
});

describe(XCircuitBreaker.name, () => {
  const config = { twitter: { apiBaseUrl: 'http://127.0.0.1:9/x' } } as AppConfig;
  const unavailable = () => new ProviderResponseError({ status: 503, headers: {} });

  beforeAll(() => Logger.overrideLogger(false));

  function setup() {
    const clock = new ManualClock(T0);
    const store = new MemoryCircuitBreakerStore();
    const sut = new XCircuitBreaker(store, clock, OPTIONS, config);
    const x = jest.fn<Promise<string>, []>();
    return { sut, clock, store, x };
  }

  it('should fail fast with X_CIRCUIT_OPEN once X failed threshold times in a row, without calling X', async () => {
    const { sut, x } = setup();
    x.mockRejectedValue(unavailable());
    for (let i = 0; i < 3; i++) await expect(sut.execute(x)).rejects.toBeInstanceOf(ProviderResponseError);

    const refused = sut.execute(x);

    await expect(refused).rejects.toBeInstanceOf(XCircuitOpenError);
    await expect(refused).rejects.toMatchObject({ code: TwitterErrorCode.X_CIRCUIT_OPEN, retryAfterMs: 10_000 });
    expect(x).toHaveBeenCalledTimes(3);
  });

  it('should count network errors but not 4xx or 429 answers, which prove X is up', async () => {
    const { sut, x } = setup();
    x.mockRejectedValueOnce(new ApiRequestError('Request failed.', { request: undefined as never, error: new Error('ECONNREFUSED') }))
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(new ProviderResponseError({ status: 429, headers: {} }))
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(new ProviderResponseError({ status: 401, headers: {} }))
      .mockResolvedValue('ok');

    for (let i = 0; i < 5; i++) await sut.execute(x).catch(() => undefined);

    await expect(sut.execute(x)).resolves.toBe('ok');
    expect(x).toHaveBeenCalledTimes(6);
  });

  it('should half-open after the cool-down, close on a good probe and call X again', async () => {
    const { sut, clock, x } = setup();
    x.mockRejectedValueOnce(unavailable()).mockRejectedValueOnce(unavailable()).mockRejectedValueOnce(unavailable());
    for (let i = 0; i < 3; i++) await sut.execute(x).catch(() => undefined);
    x.mockResolvedValue('ok');

    clock.advance(10_000);

    await expect(sut.execute(x)).resolves.toBe('ok');
    await expect(sut.execute(x)).resolves.toBe('ok');
    expect(x).toHaveBeenCalledTimes(5);
  });

  it('should refuse other calls while the probe is in flight', async () => {
    const { sut, clock, x } = setup();
    x.mockRejectedValue(unavailable());
    for (let i = 0; i < 3; i++) await sut.execute(x).catch(() => undefined);
    clock.advance(10_000);
    let finishProbe: (value: string) => void = () => undefined;
    x.mockImplementationOnce(() => new Promise<string>((resolve) => (finishProbe = resolve)));

    const probe = sut.execute(x);
    const other = sut.execute(x);

    await expect(other).rejects.toMatchObject({ code: TwitterErrorCode.X_CIRCUIT_OPEN });
    finishProbe('ok');
    await expect(probe).resolves.toBe('ok');
  });

  it('should open again after a failed probe', async () => {
    const { sut, clock, x } = setup();
    x.mockRejectedValue(unavailable());
    for (let i = 0; i < 3; i++) await sut.execute(x).catch(() => undefined);
    clock.advance(10_000);

    await expect(sut.execute(x)).rejects.toBeInstanceOf(ProviderResponseError);

    await expect(sut.execute(x)).rejects.toMatchObject({ code: TwitterErrorCode.X_CIRCUIT_OPEN, retryAfterMs: 10_000 });
    expect(x).toHaveBeenCalledTimes(4);
  });

  it('should name the breaker after the X base URL, never sharing one between upstreams', () => {
    const { sut } = setup();
    const other = new XCircuitBreaker(new MemoryCircuitBreakerStore(), new ManualClock(T0), OPTIONS, {
      twitter: { apiBaseUrl: 'https://api.x.com' },
    } as AppConfig);

    expect(sut.name).toMatch(/^x:[0-9a-f]{16}$/);
    expect(other.name).not.toBe(sut.name);
  });
});

describe(isXFailure.name, () => {
  it('should treat 5xx and request errors as failures, other answers not', () => {
    expect(isXFailure(new ProviderResponseError({ status: 500, headers: {} }))).toBe(true);
    expect(isXFailure(new ProviderResponseError({ status: 404, headers: {} }))).toBe(false);
    expect(isXFailure(new Error('bug'))).toBe(false);
  });
});
