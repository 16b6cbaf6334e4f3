import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { AppLogger } from './app-logger';
import { logProcessErrors } from './process-error-handlers';

describe(logProcessErrors.name, () => {
  function setup() {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    const target = Object.assign(new EventEmitter(), { exit: jest.fn() });
    logProcessErrors(new AppLogger({ destination }), target);
    return { target, lines };
  }

  it('should log an unhandled rejection through the redactor and keep running', () => {
    const { target, lines } = setup();
    target.emit('unhandledRejection', new Error('insert failed for alice.smith@example.com'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', msg: 'unhandled promise rejection', err: { message: 'insert failed for [EMAIL]' } });
    expect(lines[0]).not.toContain('alice.smith@example.com');
    expect(target.exit).not.toHaveBeenCalled();
  });

  it('should log an uncaught exception through the redactor and exit 1', () => {
    const { target, lines } = setup();
    target.emit('uncaughtException', new Error('token=sk-ant-0123456789abcdefghij leaked'));
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'fatal', msg: 'uncaught exception; exiting', err: { message: 'token=[SECRET] leaked' } });
    expect(target.exit).toHaveBeenCalledWith(1);
  });
});
