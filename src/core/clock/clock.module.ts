import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';

/** The system clock; `ClockModule.forRoot(clock)` replaces it (tests, the CLI's `--now`). */
@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
export class ClockModule {
  static forRoot(clock?: Clock): DynamicModule {
    if (!clock) return { module: ClockModule };
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
