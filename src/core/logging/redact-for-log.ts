// The single hook through which every log record, run log and audit detail passes before it is
// written: the `log` redaction profile of src/core/redaction (PII and secrets replaced by
// `[TYPE]`), plus two things only a log needs: user ids masked to their last 4 characters, and
// database errors cut down to their code and location (their messages quote the SQL and the row's
// values).
import { maskUserId, redactObject } from '../redaction';

const USER_ID_KEYS = new Set(['userId', 'user_id', 'subject']);
/**
 * The most of one string field a log record keeps (the rest is cut and marked): with linear
 * detectors this bounds what any record can cost, however long a path or message a caller sends.
 */
export const LOG_FIELD_LIMIT = 4096;

export function redactForLog<T>(value: T): T {
  return redactObject(prepare(value, 0), 'log', { maxStringLength: LOG_FIELD_LIMIT }) as T;
}

function prepare(value: unknown, depth: number): unknown {
  if (value instanceof Error) return isDatabaseError(value) ? describeDatabaseError(value) : value;
  if (depth > 2 || value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    out[key] = USER_ID_KEYS.has(key) && typeof field === 'string' ? maskUserId(field) : prepare(field, depth + 1);
  }
  return out;
}

interface DatabaseErrorFields {
  code?: unknown;
  table?: unknown;
  column?: unknown;
  constraint?: unknown;
  routine?: unknown;
  severity?: unknown;
}

function isDatabaseError(error: Error): boolean {
  const fields = error as Error & DatabaseErrorFields;
  return typeof fields.routine === 'string' || typeof fields.severity === 'string';
}

function describeDatabaseError(error: Error): Record<string, unknown> {
  const { code, table, column, constraint } = error as Error & DatabaseErrorFields;
  const where = [table, column].filter((part) => typeof part === 'string').join('.');
  return {
    type: error.name,
    code,
    message: `database error ${String(code ?? '')}${where ? ` on ${where}` : ''}${constraint ? ` (${String(constraint)})` : ''}`,
    // The first stack line repeats the message (the SQL and its values): keep only the frames.
    stack: (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n'),
  };
}
