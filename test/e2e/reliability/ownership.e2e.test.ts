// Every authenticated route with an `:id`-style param (found from the route table): a resource
// user A owns answers A and is 404 (not 403) to user B, so ids cannot be probed; unknown and
// malformed ids are 404 too.
import { randomUUID } from 'node:crypto';
import { RunFlow } from '../../../src/core/jobs/entities/workflow-run.entity';
import { JobHandlerRegistry } from '../../../src/core/jobs/job-handler.registry';
import { RunsService } from '../../../src/core/jobs/runs.service';
import { startTestApp, TestApp } from '../../utils/test-app';
import { AppRoute, fillPath, listRoutes } from './routes';

declare module '../../../src/core/jobs/job-payloads' {
  interface JobPayloads {
    'reliability.noop': { userId: string };
  }
}

/** Routes whose ids are positive integers rather than uuids. */
const INTEGER_ID_ROUTES = new Set(['/api/admin/audit/:id/proof']);
const MALFORMED_IDS = ['nope', '123', "' or '1'='1", 'a'.repeat(300), '00000000-0000-0000-0000-00000000000g', '😀', '..', '%00', '-1', '1e309'];

/** A valid body for the id routes that need one, so the id (not the body) decides the answer. */
const VALID_BODIES: Record<string, object> = {
  'POST /api/admin/requests/:id/extend': { reason: 'ownership test' },
  'POST /api/admin/requests/:id/complete': { reason: 'ownership test' },
  'POST /api/admin/requests/:id/refuse': { reason: 'ownership test' },
  'POST /api/admin/users/:userId/runs': { job: 'twitter.ingest' },
};

describe('Ownership: another user\'s ids are 404 on every id route', () => {
  let sut: TestApp;
  let idRoutes: AppRoute[];
  /** Owned-resource factories by route prefix; a route without one still gets the unknown/malformed checks. */
  let factories: Array<{ prefix: RegExp; create: (userId: string) => Promise<string> }>;

  beforeAll(async () => {
    sut = await startTestApp();
    const runs = sut.app.get(RunsService);
    sut.app.get(JobHandlerRegistry).register('reliability.noop', async () => ({}));
    idRoutes = listRoutes(sut.app).filter((route) => !route.isPublic && route.params.some((param) => /id$/i.test(param)));
    factories = [
      {
        prefix: /^\/api\/runs\//,
        // Delayed, so it stays PENDING while the test reads it.
        create: async (userId) => (await runs.startRun(RunFlow.INGESTION, 'reliability.noop', userId, { userId }, { delayMs: 600_000 })).id,
      },
      {
        prefix: /^\/api\/privacy\/exports\//,
        create: async (userId) => {
          const response = await sut.http.post('/api/privacy/export').set(bearer(userId, false));
          expect(response.status).toBe(202);
          return response.body.exportId as string;
        },
      },
      {
        prefix: /^\/api\/analysis\//,
        create: async (userId) => {
          const id = randomUUID();
          await sut.em().getConnection().execute(
            `insert into analyses (id, user_id, run_id, provider, model, overall, score, summary, tweet_count, tweets, created_at)
             values (?, ?, ?, 'lexicon', 'lexicon-v1', 'neutral', 0, 'planted by the ownership test', 0, '[]', now())`,
            [id, userId, randomUUID()],
          );
          return id;
        },
      },
      {
        prefix: /^\/api\/notifications\//,
        create: async (userId) => {
          const id = randomUUID();
          await sut
            .em()
            .getConnection()
            .execute(
              "insert into notifications (id, user_id, kind, title, message, data, dedup_key, created_at) values (?, ?, 'export_ready', 'Your data export is ready', 'planted by the ownership test', '{}', ?, now())",
              [id, userId, `ownership:${id}`],
            );
          return id;
        },
      },
    ];
  });
  afterAll(() => sut.close());

  const bearer = (userId: string, admin: boolean) => ({ Authorization: `Bearer ${sut.token(userId, { admin })}` });

  function call(route: AppRoute, userId: string, id: string) {
    const verb = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const pending = sut.http[verb](fillPath(route, () => id)).set(bearer(userId, route.admin));
    return route.method === 'GET' ? pending : pending.send(VALID_BODIES[`${route.method} ${route.path}`] ?? {});
  }

  it('should find the id routes, each with a way to own a resource', () => {
    expect(idRoutes.length).toBeGreaterThanOrEqual(3);
    // Admin routes act on everyone's resources, so ownership does not apply to them; they still get
    // the unknown and malformed id checks below.
    const withoutFactory = idRoutes.filter((route) => !route.admin && !factories.some((factory) => factory.prefix.test(route.path)));
    // A new id route should get a factory here; until then it still gets the checks below.
    expect(withoutFactory.map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });

  it("should answer 404, not 403, to another user's id, and show it to its owner", async () => {
    const failures: string[] = [];
    for (const route of idRoutes) {
      const factory = factories.find((candidate) => candidate.prefix.test(route.path));
      if (!factory) continue;
      const alice = `alice-${randomUUID()}`;
      const bob = `bob-${randomUUID()}`;
      const id = await factory.create(alice);
      const own = await call(route, alice, id);
      if (own.status !== 200) failures.push(`${route.method} ${route.path} as the owner: ${own.status} ${JSON.stringify(own.body)}`);
      const other = await call(route, bob, id);
      if (other.status !== 404 || other.body.statusCode !== 404 || typeof other.body.code !== 'string') {
        failures.push(`${route.method} ${route.path} as another user: ${other.status} ${JSON.stringify(other.body)}`);
      }
      if (JSON.stringify(other.body).includes(alice)) failures.push(`${route.method} ${route.path}: the 404 names the owner`);
    }
    expect(failures).toEqual([]);
  });

  it('should answer 404 to unknown and malformed ids', async () => {
    const failures: string[] = [];
    const user = `carol-${randomUUID()}`;
    for (const route of idRoutes) {
      // Audit entries are numbered: '123' is a well-formed (and, once 123 entries exist, real) id there.
      const malformed = INTEGER_ID_ROUTES.has(route.path) ? MALFORMED_IDS.filter((id) => !/^\d+$/.test(id)) : MALFORMED_IDS;
      for (const id of [randomUUID(), ...malformed]) {
        const response = await call(route, user, id);
        if (response.status !== 404) failures.push(`${route.method} ${route.path} with id ${JSON.stringify(id)}: ${response.status} ${JSON.stringify(response.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
