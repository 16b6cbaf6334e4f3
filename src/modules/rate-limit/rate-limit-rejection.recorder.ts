// Where rate-limit rejections go. Monitoring replaces the no-op with one that stores them and
// alerts on users who keep hitting the limits.
import { Injectable } from '@nestjs/common';
import type { Provider, RateLimitRejectionReason } from '../../core/rate-limit/rate-limit.types';

export abstract class RateLimitRejectionRecorder {
  abstract recordRejection(provider: Provider, userId: string, reason: RateLimitRejectionReason): Promise<void> | void;
}

@Injectable()
export class NoopRateLimitRejectionRecorder extends RateLimitRejectionRecorder {
  recordRejection(): void {
    // Nothing is kept until Monitoring provides a recorder.
  }
}
