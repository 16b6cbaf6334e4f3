// Sends personal data and secrets through several endpoints and asserts that none of it reaches
// the captured log output.
import { AuditService } from '../../src/core/audit/audit.service';
import { startTestApp, TestApp } from '../utils/test-app';

const PII = {
  email: 'jane.doe@example.com',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  iban: 'GB82 WEST 1234 5698 7654 32',
  ssn: '123-45-6789',
  ip: '203.0.113.77',
  apiKey: 'sk-live-abcdefghijklmnopqrstuvwx',
  password: 'correct-horse-battery-staple',
};

describe('No PII in logs', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  it('should keep every planted value out of the log output', async () => {
    const userId = 'pii-user-123456';
    const auth = { Authorization: `Bearer ${sut.token(userId)}` };
    const text = Object.values(PII).join(' and ');
    await sut.http.post('/api/support/tickets').set(auth).send({ subject: `Help ${PII.email}`, body: text });
    await sut.http.post('/api/support/tickets').set(auth).send({ subject: 42, body: text, password: PII.password });
    await sut.http.get(`/api/support/tickets?email=${encodeURIComponent(PII.email)}&ip=${PII.ip}`).set(auth);
    await sut.http.get('/api/support/tickets').set({ Authorization: `Bearer ${PII.apiKey}` });
    await sut.http.get(`/api/runs/${encodeURIComponent(PII.email)}`).set(auth);
    await sut.http.post('/api/support/tickets').set(auth).set('Content-Type', 'application/json').send(`{"body": "${PII.ssn}`);
    await sut.app.get(AuditService).audit(userId, 'Planted', 'test', { text, token: PII.apiKey });

    const output = sut.logs.join('\n');
    expect(output).toContain('"msg":"request"'); // request logging did run
    expect(output).toContain('"msg":"handled"'); // and so did the handler-level logging
    for (const [kind, value] of Object.entries(PII)) {
      expect({ kind, found: output.includes(value) }).toEqual({ kind, found: false });
    }
    expect(output).not.toContain(userId);
    expect(output).toContain('****3456');
  });

  it('should record one request line for refused and unmatched requests as well', async () => {
    const refused = await sut.http.get('/api/support/tickets').set({ 'X-Request-Id': 'refused-request-1' });
    const unmatched = await sut.http.get('/api/no-such-route').set({ 'X-Request-Id': 'unmatched-request-1' });

    expect([refused.status, unmatched.status]).toEqual([401, 404]);
    const requestLines = sut.logs
      .filter((line) => line.includes('"msg":"request"'))
      .map((line) => JSON.parse(line) as { requestId?: string; statusCode?: number; path?: string });
    expect(requestLines.filter((line) => line.requestId === 'refused-request-1')).toEqual([
      expect.objectContaining({ statusCode: 401, path: '/api/support/tickets' }),
    ]);
    expect(requestLines.filter((line) => line.requestId === 'unmatched-request-1')).toEqual([
      expect.objectContaining({ statusCode: 404, path: '/api/no-such-route' }),
    ]);
  });

  it('should record what the handler was given beside the access line of a handled request', async () => {
    const auth = { Authorization: `Bearer ${sut.token('handled-user-7890')}` };
    const created = await sut.http
      .post('/api/support/tickets')
      .set(auth)
      .set({ 'X-Request-Id': 'handled-request-1' })
      .send({ subject: `Invoice for ${PII.email}`, body: PII.card });
    const missing = await sut.http
      .get(`/api/runs/${encodeURIComponent(PII.email)}`)
      .set(auth)
      .set({ 'X-Request-Id': 'handled-request-2' });

    expect([created.status, missing.status]).toEqual([201, 404]);
    const linesOf = (requestId: string) =>
      sut.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.requestId === requestId);
    expect(linesOf('handled-request-1')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'request', statusCode: 201, path: '/api/support/tickets' }),
        expect.objectContaining({
          msg: 'handled',
          level: 'debug',
          handler: 'SupportController.create',
          route: 'POST /api/support/tickets',
          bodyFields: ['subject', 'body'],
          statusCode: 201,
          durationMs: expect.any(Number),
        }),
      ]),
    );
    expect(linesOf('handled-request-2')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          msg: 'handled',
          handler: 'RunsController.get',
          route: 'GET /api/runs/:id',
          params: { id: '[EMAIL]' },
          statusCode: 404,
          error: 'RUN_NOT_FOUND',
        }),
      ]),
    );
    const output = sut.logs.join('\n');
    expect(output).not.toContain(PII.email);
    expect(output).not.toContain(PII.card);
  });

  it('should write no handler-level line for a request the guards refused', async () => {
    await sut.http.get('/api/support/tickets').set({ 'X-Request-Id': 'refused-request-2' });

    const lines = sut.logs.filter((line) => line.includes('refused-request-2')).map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(['request']);
  });
});
