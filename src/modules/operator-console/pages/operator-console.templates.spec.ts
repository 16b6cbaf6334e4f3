import { renderRunsConsole } from './operator-console.templates';

describe('renderRunsConsole', () => {
  it('should load the shared stylesheet and API client before its own, as files, with no inline script', () => {
    const page = renderRunsConsole({ offerTokenField: false });
    expect(page).toContain('<link rel="stylesheet" href="/assets/privacy/privacy.css">\n<link rel="stylesheet" href="/assets/admin/console.css">');
    expect(page).toContain('<script src="/assets/shared/api-client.js" defer></script>\n<script src="/assets/admin/runs-console.js" defer></script>');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page).not.toMatch(/\son[a-z]+=/);
  });

  it('should keep the confirmation dialog outside <main>, so <main> can be made inert', () => {
    const page = renderRunsConsole({ offerTokenField: true });
    expect(page.indexOf('<dialog id="confirm-dialog"')).toBeGreaterThan(page.indexOf('</main>'));
    expect(page).toContain('<label for="access-token">Access token</label>');
  });
});
