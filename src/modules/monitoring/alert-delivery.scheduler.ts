// Retries between monitoring checks: every 30 seconds each instance dispatches the deliveries
// that are due. No lock is needed (rows are claimed with SKIP LOCKED), so it is not a run either:
// a run every 30 s would bury the operator's run list. Planning stays with the check.
import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AlertDeliveryService } from './alert-delivery.service';

export const ALERT_DELIVERY_INTERVAL_NAME = 'alert_deliveries';
export const ALERT_DELIVERY_INTERVAL_MS = 30_000;

@Injectable()
export class AlertDeliveryScheduler {
  private readonly logger = new Logger('Monitoring');
  private running = false;

  constructor(private readonly deliveries: AlertDeliveryService) {}

  @Interval(ALERT_DELIVERY_INTERVAL_NAME, ALERT_DELIVERY_INTERVAL_MS)
  async dispatchDue(): Promise<void> {
    // A slow channel must not pile up ticks on one instance.
    if (this.running) return;
    this.running = true;
    try {
      await this.deliveries.dispatchDue();
    } catch (error) {
      this.logger.warn({ msg: 'alert deliveries could not be dispatched; next tick retries', err: error });
    } finally {
      this.running = false;
    }
  }
}
