import { CallHandler, ExecutionContext, NotFoundException } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { lastValueFrom, of, throwError } from 'rxjs';
import { DomainException } from '../errors/domain.exception';
import { AppLogger } from './app-logger';
import { HandlerLoggingInterceptor, MAX_LOGGED_BODY_FIELDS } from './handler-logging.interceptor';

class TicketsController {
  findOne(): void {}
}

interface FakeResponse extends EventEmitter {
  statusCode: number;
}

function setup(level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const sut = new HandlerLoggingInterceptor(new AppLogger({ level, destination: sink }));
  const response = Object.assign(new EventEmitter(), { statusCode: 200 }) as FakeResponse;
  const contextFor = (request: Record<string, unknown>): ExecutionContext =>
    ({
      getType: () => 'http',
      getClass: () => TicketsController,
      getHandler: () => TicketsController.prototype.findOne,
      switchToHttp: () => ({ getRequest: () => ({ method: 'GET', baseUrl: '', ...request }), getResponse: () => response }),
    }) as unknown as ExecutionContext;
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { sut, response, contextFor, lines, records };
}

const handlerReturning = (value: unknown): CallHandler => ({ handle: () => of(value) });
const handlerThrowing = (error: unknown): CallHandler => ({ handle: () => throwError(() => error) });

describe(HandlerLoggingInterceptor.name, () => {
  it('should record the handler, the route and the outcome once the response is sent', async () => {
    const { sut, response, contextFor, records } = setup();
    const context = contextFor({ route: { path: '/api/support/tickets/:id' }, params: { id: 'f2b1c7a0' }, requestId: 'req-12345678' });

    await lastValueFrom(sut.intercept(context, handlerReturning({ ok: true })));
    expect(records()).toEqual([]); // not before the status is final
    response.emit('finish');

    expect(records()).toEqual([
      expect.objectContaining({
        level: 'debug',
        msg: 'handled',
        handler: 'TicketsController.findOne',
        route: 'GET /api/support/tickets/:id',
        params: { id: 'f2b1c7a0' },
        statusCode: 200,
        requestId: 'req-12345678',
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('should never let an email in a path parameter reach the log', async () => {
    const { sut, response, contextFor, lines, records } = setup();
    const email = 'jane.doe@example.com';
    const context = contextFor({ route: { path: '/api/users/:email' }, params: { email } });

    await lastValueFrom(sut.intercept(context, handlerReturning(undefined)));
    response.emit('finish');

    expect(lines.join('\n')).not.toContain(email);
    expect(records()[0]).toMatchObject({ params: { email: '[EMAIL]' } });
  });

  it('should log the body field names and none of the values', async () => {
    const { sut, response, contextFor, lines, records } = setup();
    const body = { subject: 'Call me on +44 20 7946 0958', body: 'my card 4111 1111 1111 1111', password: 'correct-horse-battery' };
    const context = contextFor({ method: 'POST', route: { path: '/api/support/tickets' }, params: {}, body });

    await lastValueFrom(sut.intercept(context, handlerReturning({ id: 1 })));
    response.statusCode = 201;
    response.emit('finish');

    const output = lines.join('\n');
    for (const value of Object.values(body)) expect(output).not.toContain(value);
    expect(output).not.toContain('7946');
    expect(records()[0]).toMatchObject({ bodyFields: ['subject', 'body', 'password'], statusCode: 201 });
  });

  it('should cap the field names of a very wide body and say how many there were', async () => {
    const { sut, response, contextFor, records } = setup();
    const body = Object.fromEntries(Array.from({ length: MAX_LOGGED_BODY_FIELDS + 5 }, (_, index) => [`field${index}`, index]));

    await lastValueFrom(sut.intercept(contextFor({ method: 'POST', params: {}, body }), handlerReturning(undefined)));
    response.emit('finish');

    const record = records()[0] as { bodyFields: string[]; bodyFieldCount: number };
    expect(record.bodyFields).toHaveLength(MAX_LOGGED_BODY_FIELDS);
    expect(record.bodyFieldCount).toBe(MAX_LOGGED_BODY_FIELDS + 5);
  });

  it('should record the domain error code, or the error class, of a handler that threw', async () => {
    const { sut, response, contextFor, records } = setup();
    const context = contextFor({ params: {} });

    await expect(lastValueFrom(sut.intercept(context, handlerThrowing(new DomainException('CONSENT_REQUIRED', 'No consent', 403))))).rejects.toThrow();
    response.statusCode = 403;
    response.emit('finish');
    await expect(lastValueFrom(sut.intercept(context, handlerThrowing(new NotFoundException())))).rejects.toThrow();
    response.statusCode = 404;
    response.emit('finish');

    expect(records().map(({ statusCode, error }) => ({ statusCode, error }))).toEqual([
      { statusCode: 403, error: 'CONSENT_REQUIRED' },
      { statusCode: 404, error: 'NotFoundException' },
    ]);
  });

  it('should record nothing when the logger is above debug', async () => {
    const { sut, response, contextFor, lines } = setup('info');

    await lastValueFrom(sut.intercept(contextFor({ params: {} }), handlerReturning(undefined)));
    response.emit('finish');

    expect(lines).toEqual([]);
  });
});
