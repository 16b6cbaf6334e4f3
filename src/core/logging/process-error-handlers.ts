// Errors nobody caught would reach stderr through Node's default handlers, past the redactor
// (a rejected database call quotes the row's values). These handlers send them through the one
// redacting logger instead.
import { AppLogger } from './app-logger';

export interface ProcessErrorTarget {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  exit(code: number): void;
}

/**
 * An unhandled rejection is logged and the process goes on (Node's default would end it; a stray
 * rejected promise should not take every request down with it). An uncaught exception leaves the
 * process in an unknown state: it is logged, the log flushed, and the process exits 1 so that its
 * supervisor starts a clean one.
 */
export function logProcessErrors(logger: AppLogger, target: ProcessErrorTarget = process): void {
  target.on('unhandledRejection', (reason) => {
    logger.record('error', 'Process', 'unhandled promise rejection', { err: reason });
  });
  target.on('uncaughtException', (error) => {
    logger.record('fatal', 'Process', 'uncaught exception; exiting', { err: error });
    logger.flush();
    target.exit(1);
  });
}
