import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';

/**
 * The system clock; `ClockModule.forRoot(clock)` replaces it (tests, the CLI's `--now`).
 * Global on purpose, like the config and the logger: time is ambient (most services read it), and
 * one clock must be seen by every module, so a test's manual clock reaches them all.
 */
@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
export class ClockModule {
  static forRoot(clock?: Clock): DynamicModule {
    if (!clock) return { module: ClockModule };
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
