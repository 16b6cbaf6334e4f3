// Embedded mode as a newcomer gets it: no DATABASE_URL, no REDIS_URL. PGlite under DATA_DIR is
// migrated at boot, secrets are generated once into DATA_DIR, and data survives a restart.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_SECRETS_FILE } from '../../../src/core/config/dev-secrets';
import { startTestApp, TestApp } from '../../utils/test-app';

describe('Embedded mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-embedded-'));
  const env = { DATA_DIR: dataDir, JWT_SECRET: undefined, ENCRYPTION_KEYS: undefined, EXPORT_SIGNING_KEY: undefined, AUDIT_KEY: undefined, PSEUDONYM_KEY: undefined };
  let sut: TestApp | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('should boot on PGlite, apply migrations and serve health and docs', async () => {
    sut = await startTestApp({ mode: 'embedded', env });
    expect(sut.config.mode).toBe('embedded');
    const health = await sut.http.get('/api/health');
    expect(health.status).toBe(200);
    expect(health.body.details).toEqual({ database: { status: 'up' }, retention_cleanup_daily: { status: 'up', lastSuccessAt: null } });
    const [{ count }] = await sut.em().getConnection().execute('select count(*)::int as count from mikro_orm_migrations');
    expect(count).toBeGreaterThan(0);
    expect((await sut.http.get('/docs-json')).body.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
  });

  it('should generate secrets once into DATA_DIR and keep data across restarts', async () => {
    sut = await startTestApp({ mode: 'embedded', env });
    const secretsFile = join(dataDir, DEV_SECRETS_FILE);
    expect(existsSync(secretsFile)).toBe(true);
    const secrets = readFileSync(secretsFile, 'utf8');
    const token = sut.token('embedded-user');
    const created = await sut.http
      .post('/api/support/tickets')
      .set('Authorization', `Bearer ${token}`)
      .send({ subject: 'kept', body: 'across restarts' });
    expect(created.status).toBe(201);
    await sut.close();

    sut = await startTestApp({ mode: 'embedded', env });
    expect(readFileSync(secretsFile, 'utf8')).toBe(secrets);
    // The same token still works: the JWT secret was reused, not regenerated.
    const listed = await sut.http.get('/api/support/tickets').set('Authorization', `Bearer ${token}`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((ticket: { subject: string }) => ticket.subject)).toEqual(['kept']);
  });
});
