// Error codes of the Monitoring module.
import { DomainException } from '../../core/errors/domain.exception';

export enum MonitoringErrorCode {
  /** `GET /metrics` without the metrics token or an admin token. */
  METRICS_UNAUTHENTICATED = 'METRICS_UNAUTHENTICATED',
}

export class MetricsUnauthenticatedException extends DomainException {
  constructor() {
    super(
      MonitoringErrorCode.METRICS_UNAUTHENTICATED,
      'GET /metrics needs Authorization: Bearer <METRICS_TOKEN> or an admin token',
      401,
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
}

/** A webhook answer worth retrying (network error, 408, 429, 5xx) or not; internal, never an HTTP response. */
export class AlertDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = AlertDeliveryError.name;
  }
}
