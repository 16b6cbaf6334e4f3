import { Writable } from 'node:stream';
import { AppLogger } from './app-logger';
import { loggerOptionsFor } from './create-app-logger';

function capture(): { sink: Writable; output: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { sink, output: () => chunks.join('') };
}

describe(AppLogger.name, () => {
  describe('recordConfigured', () => {
    it('should carry configured URLs verbatim in the message and in their fields', () => {
      const { sink, output } = capture();
      const sut = new AppLogger({ destination: sink });

      sut.recordConfigured('info', 'Bootstrap', 'listening on {apiUrl} (API docs at {docsUrl})', {
        apiUrl: 'http://127.0.0.1:3000',
        docsUrl: 'http://127.0.0.1:3000/docs',
      });

      expect(JSON.parse(output())).toMatchObject({
        context: 'Bootstrap',
        msg: 'listening on http://127.0.0.1:3000 (API docs at http://127.0.0.1:3000/docs)',
        apiUrl: 'http://127.0.0.1:3000',
        docsUrl: 'http://127.0.0.1:3000/docs',
      });
    });

    it('should still redact the message around the configured values', () => {
      const { sink, output } = capture();
      const sut = new AppLogger({ destination: sink });

      sut.recordConfigured('info', 'Bootstrap', 'ask jane.doe@example.com about {apiUrl}', { apiUrl: 'https://api.example.org' });

      expect(JSON.parse(output())).toMatchObject({ msg: 'ask [EMAIL] about https://api.example.org' });
    });
  });

  describe('pretty output', () => {
    it('should write human-readable lines that are redacted like the JSON ones', async () => {
      const { sink, output } = capture();
      const sut = new AppLogger({ destination: sink, pretty: true });

      sut.log('ticket from jane.doe@example.com', 'Support');
      await new Promise((resolve) => setImmediate(resolve));

      expect(output()).toContain('ticket from [EMAIL]');
      expect(output()).not.toContain('jane.doe@example.com');
      expect(() => JSON.parse(output())).toThrow();
    });
  });
});

describe(loggerOptionsFor.name, () => {
  it('should print human-readable lines only for a developer at a terminal', () => {
    expect(loggerOptionsFor({ nodeEnv: 'development', stdoutIsTerminal: true })).toEqual({ level: 'debug', pretty: true });
    expect(loggerOptionsFor({ nodeEnv: 'development', stdoutIsTerminal: false })).toEqual({ level: 'debug', pretty: false });
    expect(loggerOptionsFor({ nodeEnv: 'test', stdoutIsTerminal: false })).toEqual({ level: 'debug', pretty: false });
  });

  it('should keep production on JSON at info, even on a terminal', () => {
    expect(loggerOptionsFor({ nodeEnv: 'production', stdoutIsTerminal: true })).toEqual({ level: 'info', pretty: false });
  });
});
