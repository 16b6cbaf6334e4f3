// docker-compose.yml and .env.example against the configuration the app really reads: every
// variable of src/core/config (the list loadConfig validates, not one kept here) must reach the
// app and worker containers from `.env`, and be documented in .env.example; the worker must scale
// (`--scale worker=3`), and both wait for the one-shot migration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { configVariableNames } from '../../../src/core/config/load-config';

const ROOT = join(__dirname, '..', '..', '..');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  container_name?: string;
  ports?: string[];
  environment?: Record<string, string | number | null>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');
/** The names .env.example assigns (`NAME=value`, one a line). */
const exampleNames = envExample.split('\n').flatMap((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []);
const variables = configVariableNames();

describe('docker-compose.yml and .env.example', () => {
  it('should read the variable list from the configuration schema', () => {
    // A sanity check that the list is the real one, not an empty or partial list.
    expect(variables).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ENCRYPTION_KEYS', 'RUN_WORKER']));
    expect(variables.length).toBeGreaterThan(30);
  });

  it.each(['app', 'worker', 'migrate'])('should pass every variable the app reads to the %s service from .env', (name) => {
    const environment = compose.services[name]?.environment ?? {};
    const notPassed = variables.filter((variable) => {
      const value = environment[variable];
      // `${NAME}`, `${NAME:-default}` or `${NAME:?message}`: the value comes from .env when set there.
      return typeof value !== 'string' || !value.startsWith(`\${${variable}`) || !/^\$\{[A-Z0-9_]+(:?[-?].*)?\}$/s.test(value);
    });
    expect(notPassed).toEqual([]);
    // Nothing the app does not read: a misspelt name would be passed and silently ignored.
    expect(Object.keys(environment).filter((key) => !variables.includes(key))).toEqual([]);
  });

  it('should document every variable the app reads in .env.example, and only names compose uses', () => {
    expect(variables.filter((variable) => !exampleNames.includes(variable))).toEqual([]);
    const unknown = exampleNames.filter((name) => !variables.includes(name) && !composeText.includes(`\${${name}`));
    expect(unknown).toEqual([]);
    expect(new Set(exampleNames).size).toBe(exampleNames.length);
  });

  it('should leave no secret filled in .env.example', () => {
    for (const secret of ['JWT_SECRET', 'ENCRYPTION_KEYS', 'EXPORT_SIGNING_KEY', 'AUDIT_KEY', 'PSEUDONYM_KEY', 'TWITTER_CLIENT_SECRET', 'ANTHROPIC_API_KEY', 'STRIPE_WEBHOOK_SECRET', 'METRICS_TOKEN']) {
      expect(envExample).toMatch(new RegExp(`^${secret}=$`, 'm'));
    }
  });

  it('should let the worker service scale: no container name, no published port', () => {
    const worker = compose.services.worker;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.command).toEqual(['node', 'dist/src/worker.js']);
  });

  it('should start app and workers only after the one-shot migration succeeded, and check the app through its health route', () => {
    expect(compose.services.migrate.command).toEqual(['node', 'dist/src/cli.js', 'migrate']);
    for (const name of ['app', 'worker']) {
      expect(compose.services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(compose.services.migrate.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    expect(JSON.stringify(compose.services.app.healthcheck?.test)).toContain('/api/health');
    for (const name of ['postgres', 'redis']) expect(compose.services[name].healthcheck).toBeDefined();
  });

  it('should give the app and every worker the same export volume', () => {
    const dataDir = /^\$\{DATA_DIR:-(.+)\}$/.exec(String(compose.services.app.environment?.DATA_DIR))?.[1];
    expect(dataDir).toBe('/data');
    for (const name of ['app', 'worker']) expect(compose.services[name].volumes).toContain(`appdata:${dataDir}`);
  });
});
