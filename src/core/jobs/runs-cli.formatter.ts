// The CLI's views of runs (`npm run cli -- runs`, `runs show <id>`): the operator console's list
// and detail as plain text tables.
import type { AdminRunDetailDto, AdminRunDto } from './dto/admin-run.dto';
import type { RunLogDto } from './dto/run-log.dto';

const COLUMNS: Array<[string, (run: AdminRunDto) => string]> = [
  ['id', (run) => run.id],
  ['created', (run) => run.createdAt],
  ['job', (run) => run.job],
  ['user', (run) => run.userId ?? '(scheduled)'],
  ['state', (run) => run.state],
  ['attempts', (run) => String(run.attempts)],
  ['error', (run) => run.error?.code ?? ''],
];

export function formatRunsTable(runs: AdminRunDto[], next: string | null): string {
  if (runs.length === 0) return 'No run matches.\n';
  const rows = runs.map((run) => COLUMNS.map(([, value]) => oneLine(value(run))));
  const header = COLUMNS.map(([title]) => title);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  const more = next ? [`more: --before ${next}`] : [];
  return [line(header), ...rows.map(line), ...more, ''].join('\n');
}

export function formatRunDetail(run: AdminRunDetailDto, logs: RunLogDto[]): string {
  const facts: Array<[string, string]> = [
    ['id', run.id],
    ['job', run.job],
    ['flow', run.flow],
    ['user', run.userId ?? '(scheduled)'],
    ['state', run.state],
    ['attempts', `${run.attempts} of ${run.maxAttempts}`],
    ['created', run.createdAt],
    ['started', run.startedAt ?? '-'],
    ['finished', run.finishedAt ?? '-'],
    ['next attempt', run.nextAttemptAt ?? '-'],
    ['error', run.error ? `${run.error.code}: ${oneLine(run.error.message)}` : '-'],
    ['result', run.result ? JSON.stringify(run.result) : '-'],
  ];
  const width = Math.max(...facts.map(([name]) => name.length));
  const lines = facts.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  const log = logs.length === 0 ? ['  (no log lines)'] : logs.map((entry) => `  ${entry.createdAt}  ${entry.level.padEnd(5)}  ${oneLine(entry.message)}`);
  return [...lines, '', 'log:', ...log, ''].join('\n');
}

/** Stored text on one line: a newline or control character in a message must not forge table rows. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
