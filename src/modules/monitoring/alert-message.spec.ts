import { AlertNotice, buildAlertMessage, MAX_ALERTS_PER_MESSAGE } from './alert-message';

const T0 = new Date('2026-03-01T12:00:00.000Z');

function notice(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    kind: 'rate_limit_violations',
    severity: 'warning',
    subject: '****0001',
    message: '11 outbound rate-limit rejections in the last 1 h (threshold 10)',
    count: 1,
    firstSeenAt: T0,
    lastSeenAt: T0,
    ...overrides,
  };
}

describe(buildAlertMessage.name, () => {
  it('should build a Slack message with a text fallback, a header and one section per alert', () => {
    const sut = buildAlertMessage([notice(), notice({ kind: 'database_unavailable', severity: 'critical', subject: 'database', message: 'The database does not answer' })], [notice({ subject: '****0009' })]);
    expect(sut.text.split('\n')[0]).toBe('Repazoo monitoring: 2 alerts opened, 1 resolved');
    expect(sut.text).toContain('CRITICAL database_unavailable database: The database does not answer');
    expect(sut.text).toContain('RESOLVED rate_limit_violations ****0009');
    expect(sut.blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Repazoo monitoring: 2 alerts opened, 1 resolved' } });
    expect(sut.blocks?.slice(1).map((block) => block.type)).toEqual(['section', 'section', 'section']);
    expect(sut.blocks?.[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':warning: *WARNING* `rate_limit_violations` for `****0001`\n11 outbound rate-limit rejections in the last 1 h (threshold 10)\nfirst seen 2026-03-01T12:00:00.000Z, last seen 2026-03-01T12:00:00.000Z, seen by 1 check',
      },
    });
  });

  it('should escape Slack control characters in messages', () => {
    const sut = buildAlertMessage([notice({ message: 'a <b> & c' })], []);
    const section = sut.blocks?.[1];
    expect(section?.type === 'section' && section.text.text).toContain('a &lt;b&gt; &amp; c');
  });

  it(`should list at most ${MAX_ALERTS_PER_MESSAGE} alerts and count the rest`, () => {
    const sut = buildAlertMessage(
      Array.from({ length: MAX_ALERTS_PER_MESSAGE + 5 }, (_, index) => notice({ subject: `****${String(index).padStart(4, '0')}` })),
      [],
    );
    expect(sut.blocks).toHaveLength(1 + MAX_ALERTS_PER_MESSAGE + 1);
    expect(sut.blocks?.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '…and 5 more (GET /api/admin/alerts)' }] });
  });
});
