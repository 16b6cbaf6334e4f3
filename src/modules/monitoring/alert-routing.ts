// Which channels hear about which alert: one table, by alert kind first and severity second, as
// the implementation document asks (critical -> email and PagerDuty, warning -> Slack, compliance
// incidents -> PagerDuty). ALERT_ROUTES replaces entries of it; GET /api/admin/alerts/routes shows
// the table in force.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { ConfigValidationError } from '../../core/config/config.errors';
import { ALERT_CHANNELS, AlertChannel } from './channels/alert-channel';
import { AlertKind, AlertSeverity } from './checks/alert-condition';
import { ALERT_SEVERITIES } from './alerts.repository';
import { AlertRoutesDto } from './dto/alert-routes.dto';
import { ALERT_CHANNEL_NAMES, AlertChannelName } from './entities/alert-delivery.entity';

export interface AlertRoutingTable {
  severity: Record<AlertSeverity, AlertChannelName[]>;
  /** Kinds routed apart from their severity. */
  kind: Partial<Record<AlertKind, AlertChannelName[]>>;
}

/** Compliance incidents page someone whatever their severity says. */
export const COMPLIANCE_ALERT_KINDS: readonly AlertKind[] = [AlertKind.AUDIT_CHAIN_BROKEN, AlertKind.PROMPT_PII_FOUND, AlertKind.CONSENT_CHECK_FAILURES];

export const DEFAULT_ALERT_ROUTES: Readonly<AlertRoutingTable> = Object.freeze<AlertRoutingTable>({
  severity: { critical: ['email', 'pagerduty'], warning: ['slack'], info: [] },
  kind: {
    ...Object.fromEntries(COMPLIANCE_ALERT_KINDS.map((kind) => [kind, ['pagerduty'] as AlertChannelName[]])),
    // Every channel but the failing one (its subject), which the router always leaves out.
    [AlertKind.ALERT_CHANNEL_FAILING]: [...ALERT_CHANNEL_NAMES],
  },
});

export interface AlertRoute {
  /** The channels the table names. */
  channels: AlertChannelName[];
  /**
   * The channels that get the alert here: the named ones that are configured or, when none of
   * them is, every configured channel, so an alert is never routed to nowhere by a partial setup
   * (an instance with only ALERT_WEBHOOK_URL keeps getting its critical alerts on Slack).
   */
  deliveredTo: AlertChannelName[];
}

@Injectable()
export class AlertRouter {
  readonly table: AlertRoutingTable;
  readonly overridden: boolean;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ALERT_CHANNELS) private readonly channels: readonly AlertChannel[],
  ) {
    const override = config.alerting.routes;
    const kinds = new Set<string>(Object.values(AlertKind));
    const unknown = Object.keys(override?.kind ?? {}).filter((kind) => !kinds.has(kind));
    if (unknown.length > 0) {
      throw new ConfigValidationError([`ALERT_ROUTES names unknown alert kinds: ${unknown.join(', ')} (known: ${[...kinds].join(', ')})`]);
    }
    this.overridden = override !== undefined;
    this.table = {
      severity: { ...DEFAULT_ALERT_ROUTES.severity, ...(override?.severity ?? {}) },
      kind: { ...DEFAULT_ALERT_ROUTES.kind, ...(override?.kind ?? {}) },
    };
  }

  route(alert: { kind: string; severity: AlertSeverity; subject: string }): AlertRoute {
    const named = this.table.kind[alert.kind as AlertKind] ?? this.table.severity[alert.severity] ?? [];
    // A failing channel's own alert must reach someone else.
    const allowed = (name: AlertChannelName) => !(alert.kind === AlertKind.ALERT_CHANNEL_FAILING && alert.subject === name);
    const configured = this.channels.filter((channel) => channel.configured && allowed(channel.name)).map((channel) => channel.name);
    const channels = named.filter(allowed);
    const routed = channels.filter((name) => configured.includes(name));
    return { channels, deliveredTo: routed.length > 0 || channels.length === 0 ? routed : configured };
  }

  /** The table in force with what each entry reaches here, for GET /api/admin/alerts/routes. */
  describe(): AlertRoutesDto {
    return {
      source: this.overridden ? 'ALERT_ROUTES' : 'default',
      reminderIntervalMinutes: this.config.alerting.reminderIntervalMs / 60_000,
      channels: this.channels.map((channel) => ({ name: channel.name, configured: channel.configured })),
      severities: ALERT_SEVERITIES.map((severity) => ({ severity, ...this.route({ kind: '', severity, subject: '' }) })),
      kinds: (Object.keys(this.table.kind) as AlertKind[]).map((kind) => ({ kind, ...this.route({ kind, severity: 'critical', subject: '' }) })),
    };
  }
}
