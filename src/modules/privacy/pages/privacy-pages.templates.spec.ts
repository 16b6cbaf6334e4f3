import { RetentionCategoryDefinition } from '../../retention/retention-policy';
import { describeDailySchedule, renderPrivacySettings, renderRetentionTable } from './privacy-pages.templates';

const CATEGORIES: RetentionCategoryDefinition[] = [
  { category: 'logs', description: 'Operational run logs', targets: [{ table: 'run_logs', expiredWhere: 't.created_at < ?', softDelete: true, hardDeleteWhere: 't.deleted_at < ?' }] },
  { category: 'revoked_consent', description: 'Tweets', targets: [{ table: 'twitter_data', expiredWhere: 't.created_at < ?', softDelete: true, hardDeleteWhere: 't.deleted_at < ?' }] },
];

describe('privacy page templates', () => {
  it('should describe a daily cron expression as a UTC time, and fall back to the expression', () => {
    expect(describeDailySchedule('0 3 * * *')).toBe('daily at 03:00 UTC');
    expect(describeDailySchedule('30 14 * * *')).toBe('daily at 14:30 UTC');
    expect(describeDailySchedule('*/5 * * * *')).toBe('on the schedule "*/5 * * * *" (UTC)');
  });

  it('should render one row per retention category', () => {
    const table = renderRetentionTable(CATEGORIES).value;
    expect(table.match(/<tr data-category=/g)).toHaveLength(CATEGORIES.length);
    expect(table).toContain('<td data-days="90">90 days</td>');
    expect(table).toContain('<td data-days="0">Until the next daily cleanup</td>');
  });

  it('should offer the "Access token" field only when asked to (embedded mode)', () => {
    expect(renderPrivacySettings({ offerTokenField: true, recentSignInSeconds: 600 })).toContain('<label for="access-token">Access token</label>');
    expect(renderPrivacySettings({ offerTokenField: false, recentSignInSeconds: 600 })).not.toContain('access-token');
  });

  it('should load the shared API client, then its own script, as files and hold no inline script', () => {
    const page = renderPrivacySettings({ offerTokenField: true, recentSignInSeconds: 600 });
    expect(page).toContain('<script src="/assets/shared/api-client.js" defer></script>\n<script src="/assets/privacy/privacy-settings.js" defer></script>');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page).not.toMatch(/\son[a-z]+=/);
  });
});
