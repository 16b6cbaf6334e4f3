import { PassThrough } from 'node:stream';
import { runRedactCommand } from './redact.command';

async function run(input: string, options: { profile: 'log' | 'prompt'; json: boolean }): Promise<string[]> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  stdin.end(input);
  await runRedactCommand(stdin, stdout, options);
  return Buffer.concat(chunks).toString('utf8').split('\n').slice(0, -1);
}

describe(runRedactCommand.name, () => {
  it('should write one redacted line per input line', async () => {
    const lines = await run('mail bob@example.com\n\nno pii here\r\ncall +1-202-555-0143', { profile: 'log', json: false });
    expect(lines).toEqual(['mail [EMAIL]', '', 'no pii here', 'call [PHONE]']);
  });

  it('should use the prompt profile when asked', async () => {
    expect(await run('@alice and @bob and @alice', { profile: 'prompt', json: false })).toEqual(['[USER_1] and [USER_2] and [USER_1]']);
  });

  it('should write JSON with offsets into each input line', async () => {
    const input = ['id 1: mail bob@example.com', 'key sk-abcdefghijklmnop1234 ok'];
    const lines = await run(input.join('\n'), { profile: 'log', json: true });
    const parsed = lines.map((line) => JSON.parse(line) as { text: string; entities: { type: string; start: number; end: number }[] });
    expect(parsed).toEqual([
      { text: 'id 1: mail [EMAIL]', entities: [{ type: 'EMAIL', start: 11, end: 26 }] },
      { text: 'key [SECRET] ok', entities: [{ type: 'SECRET', start: 4, end: 27 }] },
    ]);
    expect(input[0].slice(11, 26)).toBe('bob@example.com');
  });

  it('should keep up when the reader is slower than the input', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough({ highWaterMark: 16 });
    let received = '';
    stdout.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    stdin.end(Array.from({ length: 500 }, (_, i) => `line ${i} a${i}@example.com`).join('\n'));
    await runRedactCommand(stdin, stdout, { profile: 'log', json: false });
    const lines = received.trimEnd().split('\n');
    expect(lines).toHaveLength(500);
    expect(lines[499]).toBe('line 499 [EMAIL]');
  });

  it('should write nothing for empty input', async () => {
    expect(await run('', { profile: 'log', json: true })).toEqual([]);
  });
});
