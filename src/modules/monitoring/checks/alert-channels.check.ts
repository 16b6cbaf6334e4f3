// A channel that keeps failing raises its own alert, which the router sends on the other
// channels: an SMTP server that has refused mail for an hour must not go unnoticed because the
// alerts about it were emails.
import { Inject, Injectable } from '@nestjs/common';
import { AlertDeliveriesRepository } from '../alert-deliveries.repository';
import { ALERT_DELIVERY_POLICY, AlertDeliveryPolicy } from '../alert-delivery.service';
import { AlertCondition, AlertKind, CheckOutcome, MonitoringCheck } from './alert-condition';

/** A delivery given up within this long keeps its channel's alert open. */
export const GIVEN_UP_WINDOW_MS = 3_600_000;

@Injectable()
export class AlertChannelsCheck implements MonitoringCheck {
  readonly name = 'alert_channels';
  readonly kinds = [AlertKind.ALERT_CHANNEL_FAILING];

  constructor(
    private readonly deliveries: AlertDeliveriesRepository,
    @Inject(ALERT_DELIVERY_POLICY) private readonly policy: AlertDeliveryPolicy,
  ) {}

  async run(now: Date): Promise<CheckOutcome> {
    const failing = await this.deliveries.findFailingChannels(this.policy.failingAfterAttempts, new Date(now.getTime() - GIVEN_UP_WINDOW_MS));
    const conditions: AlertCondition[] = failing.map(({ channel, failing: count, lastError }) => ({
      kind: AlertKind.ALERT_CHANNEL_FAILING,
      severity: 'critical',
      subject: channel,
      message: `${count} alert deliver${count === 1 ? 'y' : 'ies'} to ${channel} failing after ${this.policy.failingAfterAttempts}+ attempts or given up (last error: ${lastError ?? 'none'})`,
      observed: count,
    }));
    return { evaluated: [...this.kinds], conditions };
  }
}
