// The first screen of `src/main.ts`: the start line names the real URLs of the API and of /docs
// (the redactor would turn any URL in a log line into `[URL]`), and output to a pipe stays JSON.
import { httpStatus, ServerProcess, serverEnv, startServer, stopServer } from '../reliability/server-process';

interface LogLine {
  level?: string;
  context?: string;
  msg?: string;
  apiUrl?: string;
  docsUrl?: string;
}

function logLines(server: ServerProcess): LogLine[] {
  return server.output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('main.ts start line', () => {
  let server: ServerProcess | undefined;

  afterEach(() => stopServer(server));

  it('should print the real URLs of the API and of /docs as JSON when stdout is not a terminal', async () => {
    server = await startServer();

    const startLine = logLines(server).find((line) => line.msg?.startsWith('listening on'));
    expect(startLine).toEqual({
      level: 'info',
      time: expect.any(String),
      context: 'Bootstrap',
      msg: `listening on ${server.baseUrl} (API docs at ${server.baseUrl}/docs)`,
      apiUrl: server.baseUrl,
      docsUrl: `${server.baseUrl}/docs`,
    });
    expect(await httpStatus(startLine!.docsUrl!)).toBe(200);
  });

  it('should print the configured public base URL, without credentials, when one is set', async () => {
    server = await startServer(serverEnv({ PUBLIC_BASE_URL: 'https://operator:hunter2-secret@repazoo.example.org/' }));

    const output = server.output.join('');
    expect(output).toContain('"msg":"listening on https://repazoo.example.org (API docs at https://repazoo.example.org/docs)"');
    expect(output).not.toContain('hunter2-secret');
  });
});
