import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { isRedisConnectionError, RedisOutageLog } from './redis-outage-log';

class RecordingLogger extends Logger {
  readonly lines: { level: 'log' | 'warn'; message: Record<string, unknown> }[] = [];

  override log(message: Record<string, unknown>): void {
    this.lines.push({ level: 'log', message });
  }

  override warn(message: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message });
  }
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
}

describe('RedisOutageLog', () => {
  let logger: RecordingLogger;
  let connection: EventEmitter;
  let queue: EventEmitter;

  beforeEach(() => {
    logger = new RecordingLogger();
    connection = new EventEmitter();
    queue = new EventEmitter();
    new RedisOutageLog(logger, 'run queue').watch(connection).watchErrors(queue, 'run worker');
  });

  it('should warn once per outage however many reconnect attempts fail, on the connection and on what is built on it', () => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      connection.emit('error', refused());
      queue.emit('error', refused());
    }

    expect(logger.lines).toEqual([
      { level: 'warn', message: { msg: 'run queue: Redis is unreachable; reconnecting until it is back', reason: 'connect ECONNREFUSED 127.0.0.1:6390' } },
    ]);
  });

  it('should say when Redis is back and how many attempts failed, and warn again on the next outage', () => {
    connection.emit('error', refused());
    queue.emit('error', new Error('Connection is closed.'));
    connection.emit('ready');
    connection.emit('ready');
    connection.emit('error', refused());

    expect(logger.lines.map((line) => [line.level, line.message.msg, line.message.failedAttempts])).toEqual([
      ['warn', 'run queue: Redis is unreachable; reconnecting until it is back', undefined],
      ['log', 'run queue: Redis is reachable again', 2],
      ['warn', 'run queue: Redis is unreachable; reconnecting until it is back', undefined],
    ]);
  });

  it('should log every other error, named by where it came from, without starting an outage', () => {
    const scriptError = new Error('ERR Error running script');
    queue.emit('error', scriptError);
    queue.emit('error', scriptError);
    connection.emit('ready');

    expect(logger.lines).toEqual([
      { level: 'warn', message: { msg: 'run worker: Redis error', err: scriptError } },
      { level: 'warn', message: { msg: 'run worker: Redis error', err: scriptError } },
    ]);
  });
});

describe('isRedisConnectionError', () => {
  it.each([
    ['a refused connection', refused(), true],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    ['a command on a closed connection', new Error('Connection is closed.'), true],
    ['retries given up', Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }), true],
    ['a failed command', new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), false],
    ['something that is not an Error', 'ECONNREFUSED', false],
  ])('should classify %s', (_case, error, expected) => {
    expect(isRedisConnectionError(error)).toBe(expected);
  });
});
