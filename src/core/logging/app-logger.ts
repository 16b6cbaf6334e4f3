// Structured logging with pino: JSON lines, or human-readable lines (pino-pretty) for a developer
// at a terminal. Every record (message, bound fields, errors and their stacks) goes through
// `redactForLog` here, the single place between the app and any log sink; the pretty printer only
// formats records that are already redacted.
import { LoggerService, LogLevel } from '@nestjs/common';
import pino, { DestinationStream, Logger as PinoLogger } from 'pino';
import pinoPretty from 'pino-pretty';
import { redactForLog } from './redact-for-log';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const NEST_TO_PINO: Record<LogLevel, Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

export interface AppLoggerOptions {
  level?: Level;
  /** Where records go; stdout by default. Tests pass a stream to capture the output. */
  destination?: DestinationStream;
  /** Human-readable lines instead of JSON (development on a terminal; see `createAppLogger`). */
  pretty?: boolean;
}

/** A `{name}` in the message of `recordConfigured`. */
const CONFIGURED_VALUE_PLACEHOLDER = /\{(\w+)\}/g;

export class AppLogger implements LoggerService {
  private readonly pino: PinoLogger;

  constructor({ level = 'info', destination, pretty = false }: AppLoggerOptions = {}) {
    const sink = destination ?? pino.destination({ fd: 1, sync: false });
    this.pino = pino(
      { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      pretty ? prettyPrinter(sink) : sink,
    );
  }

  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  setLogLevels(levels: LogLevel[]): void {
    const order: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
    const lowest = order.find((level) => levels.some((nestLevel) => NEST_TO_PINO[nestLevel] === level));
    if (lowest) this.pino.level = lowest;
  }

  /** Structured record with fields: `logger.record('info', 'http', 'request', { method, url })`. */
  record(level: Level, context: string, message: string, fields: Record<string, unknown> = {}): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const { msg, ...rest } = redactForLog({ msg: message, ...fields });
    this.pino[level]({ context, ...rest }, String(msg));
  }

  /**
   * A record whose `{name}` placeholders in the message, and whose fields of the same names, carry
   * values from the validated configuration verbatim; the message template is redacted as usual.
   * It exists for the start line: the URL detector would turn the API's own address into `[URL]`.
   * Those values are the operator's settings (PUBLIC_BASE_URL, or HOST and PORT), the same for
   * every request and nobody's personal data. Never pass anything a request, a provider, a user
   * or the database supplied: that text must go through `record`.
   */
  recordConfigured(level: Level, context: string, message: string, configured: Record<string, string>): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const template = String(redactForLog({ msg: message }).msg);
    const text = template.replace(CONFIGURED_VALUE_PLACEHOLDER, (placeholder, name: string) => configured[name] ?? placeholder);
    this.pino[level]({ context, ...configured }, text);
  }

  isLevelEnabled(level: Level): boolean {
    return this.pino.isLevelEnabled(level);
  }

  /** Flushes buffered records (on shutdown). */
  flush(): void {
    this.pino.flush();
  }

  /**
   * Nest calls `logger.x(message, ...optionalParams)` where the last string is the context and,
   * for errors, a stack string may come before it.
   */
  private write(level: Level, message: unknown, optional: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const params = [...optional];
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (message instanceof Error) {
      fields.err = message;
    } else if (message !== null && typeof message === 'object') {
      Object.assign(fields, message);
    }
    for (const param of params) {
      if (param instanceof Error) fields.err = param;
      else if (typeof param === 'string') fields.stack = param;
      else if (param !== undefined) fields.detail = param;
    }
    const text = typeof message === 'string' ? message : message instanceof Error ? message.message : '';
    const { msg, ...rest } = redactForLog({ msg: text, ...fields });
    this.pino[level]({ ...(context ? { context } : {}), ...serializeErrors(rest) }, String(msg));
  }
}

/** `12:00:01.234 INFO: [Bootstrap] listening on ...`, with other fields indented below. */
function prettyPrinter(destination: DestinationStream): DestinationStream {
  return pinoPretty({
    destination,
    translateTime: 'SYS:HH:MM:ss.l',
    messageFormat: '{if context}[{context}] {end}{msg}',
    ignore: 'context',
  });
}

function serializeErrors(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}
