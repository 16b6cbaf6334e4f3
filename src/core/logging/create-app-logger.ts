// The logger of a server or worker process, chosen from the environment it runs in.
import type { AppConfig } from '../config/app-config';
import { AppLogger, AppLoggerOptions } from './app-logger';

export interface LoggerEnvironment {
  nodeEnv: AppConfig['nodeEnv'];
  /** Whether stdout is a terminal (`process.stdout.isTTY`): a person reads it, not a collector. */
  stdoutIsTerminal: boolean;
}

/**
 * JSON lines wherever a program reads the output (production, tests, a pipe into a collector);
 * human-readable lines for a developer at a terminal. Outside production the level is `debug`, so
 * the handler-level line of each request (`HandlerLoggingInterceptor`) shows too; production keeps
 * `info`: one access line per request.
 */
export function loggerOptionsFor({ nodeEnv, stdoutIsTerminal }: LoggerEnvironment): AppLoggerOptions {
  const production = nodeEnv === 'production';
  return { level: production ? 'info' : 'debug', pretty: !production && stdoutIsTerminal };
}

export function createAppLogger(nodeEnv: AppConfig['nodeEnv']): AppLogger {
  return new AppLogger(loggerOptionsFor({ nodeEnv, stdoutIsTerminal: process.stdout.isTTY === true }));
}
