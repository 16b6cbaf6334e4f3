// Failed authentications are throttled per client address before any token is verified: after
// AUTH_FAILURES_PER_MINUTE failures, a token from that address that would need verifying (even a
// valid one) gets 429 AUTH_THROTTLED for the rest of the minute, while other clients are
// unaffected, and so is a token this instance verified in the last minute (it costs no
// verification: someone sharing the address keeps working). In Redis in server mode (every
// instance counts the same client), in memory in embedded mode.
import { randomInt } from 'node:crypto';
import { startTestApp, TestApp } from '../utils/test-app';

const LIMIT = 3;
const randomIp = () => `198.51.100.${randomInt(1, 254)}`;

describe.each(['server', 'embedded'] as const)('Failed authentications per address (%s mode)', (mode) => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ mode, env: { TRUST_PROXY: '1', AUTH_FAILURES_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(() => sut.close());

  it('should answer 429 AUTH_THROTTLED to an address past its failures, before verifying its token, and only to it', async () => {
    const attacker = randomIp();
    let neighbour = randomIp();
    while (neighbour === attacker) neighbour = randomIp();
    const call = (ip: string, token: string) => sut.http.get('/api/support/tickets').set('X-Forwarded-For', ip).set('Authorization', `Bearer ${token}`);

    const failures = [];
    for (let i = 0; i < LIMIT; i += 1) failures.push((await call(attacker, 'not.a.jwt')).status);
    const throttled = await call(attacker, sut.token('attacker'));
    const neighbourAnswer = await call(neighbour, sut.token('neighbour'));

    expect(failures).toEqual([401, 401, 401]);
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ statusCode: 429, code: 'AUTH_THROTTLED', message: expect.any(String) });
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(neighbourAnswer.status).toBe(200);
  });

  it('should let a token verified before the block through from that address, and refuse a new one', async () => {
    const sharedAddress = randomIp();
    const call = (token: string) => sut.http.get('/api/support/tickets').set('X-Forwarded-For', sharedAddress).set('Authorization', `Bearer ${token}`);
    const colleague = sut.token('colleague');
    expect((await call(colleague)).status).toBe(200);

    for (let i = 0; i < LIMIT; i += 1) expect((await call('not.a.jwt')).status).toBe(401);
    const blocked = await call('still.not.a.jwt');
    const colleagueAgain = await call(colleague);
    const newcomer = await call(sut.token('newcomer'));

    expect(blocked.status).toBe(429);
    expect(colleagueAgain.status).toBe(200);
    expect(newcomer.status).toBe(429);
  });

  it('should not count successful authentications', async () => {
    const client = randomIp();
    const answers = [];
    for (let i = 0; i < LIMIT * 3; i += 1) answers.push((await sut.http.get('/api/support/tickets').set('X-Forwarded-For', client).set('Authorization', `Bearer ${sut.token('regular')}`)).status);
    expect(answers).toEqual(Array(LIMIT * 3).fill(200));
  });
});
