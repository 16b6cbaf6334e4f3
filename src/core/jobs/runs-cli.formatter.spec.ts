import { RunFlow, RunState } from './entities/workflow-run.entity';
import { formatRunDetail, formatRunsTable } from './runs-cli.formatter';

const run = {
  id: '00000000-0000-4000-8000-000000000001',
  job: 'analysis.sentiment',
  userId: 'user-1',
  state: RunState.FAILED,
  attempts: 3,
  createdAt: '2026-12-04T00:00:00.000Z',
  startedAt: '2026-12-04T00:00:01.000Z',
  finishedAt: '2026-12-04T00:00:02.000Z',
  nextAttemptAt: null,
  error: { code: 'PROVIDER_DOWN', message: 'first line\nforged row\u001b[31m' },
};

describe(formatRunsTable.name, () => {
  it('should align columns, name scheduled runs and give the next cursor', () => {
    const text = formatRunsTable([run, { ...run, id: 'x', userId: null, error: null }], 'x');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+created\s+job\s+user\s+state\s+attempts\s+error$/);
    expect(lines[2]).toContain('(scheduled)');
    expect(lines[3]).toBe('more: --before x');
    expect(lines[1].indexOf('FAILED')).toBe(lines[0].indexOf('state'));
  });

  it('should say when nothing matches', () => {
    expect(formatRunsTable([], null)).toBe('No run matches.\n');
  });
});

describe(formatRunDetail.name, () => {
  it('should keep stored text on one line, control characters included', () => {
    const text = formatRunDetail({ ...run, flow: RunFlow.ANALYSIS, maxAttempts: 3, result: null }, [
      { level: 'error', message: 'Attempt 3 failed\nforged', createdAt: '2026-12-04T00:00:02.000Z' },
    ]);
    expect(text).toContain('error         PROVIDER_DOWN: first line forged row [31m');
    expect(text).toContain('  2026-12-04T00:00:02.000Z  error  Attempt 3 failed forged');
    expect(text).not.toContain('\u001b');
  });
});
