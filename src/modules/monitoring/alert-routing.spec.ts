import { AlertingConfig, AppConfig } from '../../core/config/app-config';
import { ConfigValidationError } from '../../core/config/config.errors';
import { AlertRouter } from './alert-routing';
import { AlertChannel } from './channels/alert-channel';
import { AlertKind } from './checks/alert-condition';
import { AlertChannelName } from './entities/alert-delivery.entity';

class StubChannel extends AlertChannel {
  constructor(
    readonly name: AlertChannelName,
    readonly configured: boolean,
  ) {
    super();
  }

  async send(): Promise<void> {}
}

function routerWith(configured: AlertChannelName[], routes?: AlertingConfig['routes']): AlertRouter {
  const config = { alerting: { email: undefined, pagerDuty: undefined, routes, reminderIntervalMs: 0 } } as unknown as AppConfig;
  const channels = (['slack', 'email', 'pagerduty'] as const).map((name) => new StubChannel(name, configured.includes(name)));
  return new AlertRouter(config, channels);
}

describe(AlertRouter.name, () => {
  it('should follow the default table: critical to email and PagerDuty, warning to Slack, compliance kinds to PagerDuty', () => {
    const sut = routerWith(['slack', 'email', 'pagerduty']);
    expect(sut.route({ kind: AlertKind.REDIS_UNAVAILABLE, severity: 'critical', subject: 'redis' }).deliveredTo).toEqual(['email', 'pagerduty']);
    expect(sut.route({ kind: AlertKind.QUEUE_BACKLOG, severity: 'warning', subject: 'queue' }).deliveredTo).toEqual(['slack']);
    expect(sut.route({ kind: AlertKind.QUEUE_BACKLOG, severity: 'info', subject: 'queue' }).deliveredTo).toEqual([]);
    for (const kind of [AlertKind.AUDIT_CHAIN_BROKEN, AlertKind.PROMPT_PII_FOUND, AlertKind.CONSENT_CHECK_FAILURES]) {
      expect(sut.route({ kind, severity: 'warning', subject: 'x' }).deliveredTo).toEqual(['pagerduty']);
    }
  });

  it('should send a failing channel’s own alert to every other channel, never to itself', () => {
    const sut = routerWith(['slack', 'email', 'pagerduty']);
    expect(sut.route({ kind: AlertKind.ALERT_CHANNEL_FAILING, severity: 'critical', subject: 'email' }).deliveredTo).toEqual(['slack', 'pagerduty']);
    const onlyEmail = routerWith(['email']);
    expect(onlyEmail.route({ kind: AlertKind.ALERT_CHANNEL_FAILING, severity: 'critical', subject: 'email' }).deliveredTo).toEqual([]);
  });

  it('should fall back to every configured channel when none of the routed ones is configured', () => {
    const slackOnly = routerWith(['slack']);
    expect(slackOnly.route({ kind: AlertKind.DATABASE_UNAVAILABLE, severity: 'critical', subject: 'database' })).toEqual({ channels: ['email', 'pagerduty'], deliveredTo: ['slack'] });
    expect(routerWith([]).route({ kind: AlertKind.DATABASE_UNAVAILABLE, severity: 'critical', subject: 'database' }).deliveredTo).toEqual([]);
  });

  it('should let ALERT_ROUTES replace entries by severity and by kind', () => {
    const sut = routerWith(['slack', 'email', 'pagerduty'], { severity: { warning: ['slack', 'email'] }, kind: { consent_check_failures: ['pagerduty', 'email'], queue_backlog: [] } });
    expect(sut.overridden).toBe(true);
    expect(sut.route({ kind: AlertKind.RATE_LIMIT_VIOLATIONS, severity: 'warning', subject: '****ab12' }).deliveredTo).toEqual(['slack', 'email']);
    expect(sut.route({ kind: AlertKind.CONSENT_CHECK_FAILURES, severity: 'critical', subject: '****ab12' }).deliveredTo).toEqual(['pagerduty', 'email']);
    expect(sut.route({ kind: AlertKind.QUEUE_BACKLOG, severity: 'warning', subject: 'queue' }).deliveredTo).toEqual([]);
    expect(sut.describe()).toMatchObject({ source: 'ALERT_ROUTES', severities: expect.arrayContaining([{ severity: 'warning', channels: ['slack', 'email'], deliveredTo: ['slack', 'email'] }]) });
  });

  it('should refuse to start with a route for a kind that does not exist, naming ALERT_ROUTES', () => {
    expect(() => routerWith([], { severity: {}, kind: { no_such_alert: ['email'] } })).toThrow(ConfigValidationError);
    expect(() => routerWith([], { severity: {}, kind: { no_such_alert: ['email'] } })).toThrow(/ALERT_ROUTES names unknown alert kinds: no_such_alert/);
  });
});
