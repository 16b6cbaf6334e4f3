// Extra parts of `GET /api/health` that modules add (Monitoring: the last retention run and the
// run queue), so the health route stays in core without depending on those modules.
import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

export type HealthContributor = () => Promise<HealthIndicatorResult>;

@Injectable()
export class HealthContributors {
  private readonly contributors: HealthContributor[] = [];

  /** Call from the contributing module's `onModuleInit`. */
  register(contributor: HealthContributor): void {
    this.contributors.push(contributor);
  }

  all(): readonly HealthContributor[] {
    return this.contributors;
  }
}
