// Schema-driven fuzzing: every operation of the OpenAPI document (/docs-json) with a request body
// or query/path params gets bodies and params built from its schemas and then broken (wrong types,
// missing and extra fields, huge strings, unicode, edge numbers, arrays/objects for scalars), sent
// with a valid token (an admin one for admin routes). No answer may be a 5xx, and a rejected (4xx)
// request must leave the row count of every table unchanged. Bounded runs with a fixed seed
// (FUZZ_SEED, FUZZ_RUNS to change them); a failure prints the seed and the counterexample.
import fc from 'fast-check';
import { startTestApp, TestApp } from '../../utils/test-app';
import { listRoutes } from './routes';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** Signature-checked: still no 5xx, but its rejections are not held to the no-write rule. */
const WRITE_CHECK_EXEMPT = new Set(['POST /api/billing/stripe/webhook']);

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface FuzzCase {
  pathParams: Record<string, string>;
  query: Array<[string, string]>;
  /** `undefined`: no body; a string: sent as raw JSON text. */
  body: string | undefined;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  "'; drop table users; --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '../../etc/passwd',
  '%00',
  'true',
  '[]',
  '{}',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻͇',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\u202Eevil',
];
const EDGE_NUMBERS = [0, -0, -1, 1, 0.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e-300];

/** Any JSON value a client could send in the wrong place. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...EDGE_NUMBERS),
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 256, max: 300_000 }).map((length) => 'x'.repeat(length)),
  fc.integer({ min: 1, max: 5_000 }).map((length) => '😀'.repeat(length)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 4 }),
);

/** A short nasty value for URLs: Node refuses request heads over 16 KB before the app sees them. */
const nastyUrlText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS.filter(Boolean)),
  fc.constantFrom(...EDGE_NUMBERS.map(String)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.integer({ min: 100, max: 3_000 }).map((length) => 'x'.repeat(length)),
  fc.uuid(),
);

describe('Schema-driven fuzzing of every operation', () => {
  let sut: TestApp;
  let document: OpenApiDocument;
  let adminPaths: Set<string>;
  let countRows: () => Promise<Record<string, number>>;
  const user = 'fuzz-user';
  const admin = 'fuzz-admin';

  beforeAll(async () => {
    // A configured webhook, so its fuzzed bodies meet the signature check rather than a 503.
    sut = await startTestApp({ env: { STRIPE_WEBHOOK_SECRET: 'whsec_reliability_fuzz_0123456789' } });
    await sut.resetDatabase();
    document = (await sut.http.get('/docs-json')).body as OpenApiDocument;
    adminPaths = new Set(listRoutes(sut.app).filter((route) => route.admin).map((route) => `${route.method} ${toOpenApiPath(route.path)}`));
    const tables = Object.values(sut.em().getMetadata().getAll()).map((meta) => meta.tableName);
    const sql = tables.map((table) => `select '${table}' as t, count(*)::int as n from "${table}"`).join(' union all ');
    countRows = async () =>
      Object.fromEntries((await sut.em().getConnection().execute<Array<{ t: string; n: number }>>(sql)).map((row) => [row.t, row.n]));
    // The first authenticated request creates the users row; do it before counting.
    for (const id of [user, admin]) await sut.http.get('/api/support/tickets').set('Authorization', `Bearer ${sut.token(id, { admin: id === admin })}`);
  });
  afterAll(() => sut.close());

  function resolve(schema: Schema | undefined): Schema {
    let current = schema ?? {};
    for (let depth = 0; current.$ref && depth < 10; depth += 1) {
      current = document.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')] ?? {};
    }
    if (current.allOf?.length) return current.allOf.map(resolve).reduce((merged, part) => ({ ...merged, ...part, properties: { ...merged.properties, ...part.properties } }), {});
    return current;
  }

  /** A plausible valid value for the schema, the seed the mutations start from. */
  function validValue(raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
    const schema = resolve(raw);
    if (schema.enum?.length) return fc.constantFrom(...schema.enum);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants?.length) return fc.oneof(...variants.map((variant) => validValue(variant, depth + 1)));
    switch (schema.type) {
      case 'string':
        if (schema.format === 'uuid') return fc.uuid();
        if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
        return fc.string({ minLength: schema.minLength ?? 1, maxLength: Math.min(schema.maxLength ?? 60, 200) });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3 ? fc.constant([]) : fc.array(validValue(schema.items, depth + 1), { maxLength: 3 });
      case 'object':
      case undefined:
      default:
        if (!schema.properties || depth > 3) return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 });
        return fc.record(Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, validValue(property, depth + 1)])));
    }
  }

  /** Valid, broken, missing or extra: the body a careless or hostile client sends. */
  function bodyArbitrary(schema: Schema | undefined): fc.Arbitrary<string> {
    const resolved = resolve(schema);
    const properties = resolved.properties ?? {};
    const field = (property: Schema) => fc.oneof({ arbitrary: validValue(property), weight: 2 }, { arbitrary: nastyValue, weight: 3 });
    const object = fc
      .tuple(
        fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, field(property)])), { requiredKeys: [] }),
        fc.option(fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'userId', 'id', 'role')), nastyValue, { minKeys: 1, maxKeys: 3 }), { freq: 3 }),
      )
      .map(([known, extra]) => JSON.stringify(extra ? { ...extra, ...known } : known));
    return fc.oneof(
      { arbitrary: object, weight: 6 },
      { arbitrary: validValue(resolved).map((value) => JSON.stringify(value)), weight: 2 },
      { arbitrary: nastyValue.map((value) => JSON.stringify(value)), weight: 2 },
      { arbitrary: fc.constantFrom('{', '{"a":', '[1,', 'nul', '"\\ud800"', '{"a":1}{"b":2}', '\u0000'), weight: 1 },
    );
  }

  function caseArbitrary(operation: Operation, withBody: boolean): fc.Arbitrary<FuzzCase> {
    const parameters = operation.parameters ?? [];
    const asText = (schema: Schema | undefined) =>
      fc.oneof(
        validValue(schema).map((value) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '')),
        nastyUrlText,
      );
    const pathParams = fc.record(
      Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, asText(p.schema).filter((text) => text.length > 0)])),
    );
    const query = fc
      .tuple(
        fc.array(
          fc.tuple(
            fc.constantFrom(...parameters.filter((p) => p.in === 'query').map((p) => p.name), 'unknownField', 'limit[]', '__proto__'),
            fc.constantFrom(...[undefined, ...parameters.filter((p) => p.in === 'query').map((p) => p.schema)]),
          ),
          { maxLength: 5 },
        ),
        fc.infiniteStream(nastyUrlText),
      )
      .chain(([pairs]) =>
        fc.tuple(...pairs.map(([name, schema]) => asText(schema).map((value): [string, string] => [name, value]))),
      );
    const body = withBody ? bodyArbitrary(operation.requestBody?.content?.['application/json']?.schema) : fc.constant(undefined);
    return fc.record({ pathParams, query, body });
  }

  it('should refuse a NUL character with a 400 naming the field (found by this fuzzer: it was a 500)', async () => {
    const before = await countRows();
    const response = await sut.http
      .post('/api/support/tickets')
      .set('Authorization', `Bearer ${sut.token(user)}`)
      .send({ subject: 'nul', body: 'before\u0000after' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body must not contain NUL characters' });
    const query = await sut.http.get('/api/runs?before=%00').set('Authorization', `Bearer ${sut.token(user)}`);
    expect(query.status).toBe(400);
    expect(query.body.message).toContain('before');
    expect(await countRows()).toEqual(before);
  });

  it(
    'should never answer 5xx, and never write on a rejected request',
    async () => {
      const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
      );
      const fuzzed = operations.filter(({ operation }) => operation.requestBody !== undefined || (operation.parameters?.length ?? 0) > 0);
      expect(fuzzed.length).toBeGreaterThanOrEqual(8);
      const failures: string[] = [];
      let requests = 0;
      const statuses: Record<string, number> = {};

      for (const { path, method, operation } of fuzzed) {
        const key = `${method} ${path}`;
        const asAdmin = adminPaths.has(key);
        const token = sut.token(asAdmin ? admin : user, { admin: asAdmin });
        const withBody = operation.requestBody !== undefined || method !== 'GET';
        const details = await fc.check(
          fc.asyncProperty(caseArbitrary(operation, withBody), async (input) => {
            const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(input.pathParams[name] ?? 'x'));
            const search = new URLSearchParams(input.query).toString();
            const before = await countRows();
            let pending = sut.http[method.toLowerCase() as 'get' | 'post' | 'delete' | 'put' | 'patch'](search ? `${url}?${search}` : url)
              .set('Authorization', `Bearer ${token}`)
              .redirects(0);
            if (input.body !== undefined) pending = pending.set('Content-Type', 'application/json').send(input.body);
            const response = await pending;
            requests += 1;
            statuses[`${key} ${response.status}`] = (statuses[`${key} ${response.status}`] ?? 0) + 1;
            if (response.status >= 500) throw new Error(`${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
            if (response.status >= 400 && !WRITE_CHECK_EXEMPT.has(key)) {
              const after = await countRows();
              const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
              if (changed.length > 0) {
                throw new Error(`${response.status} but rows changed in ${changed.map((t) => `${t} ${before[t]}->${after[t]}`).join(', ')}`);
              }
            }
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
        if (details.failed) {
          const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
          failures.push(`${key}: ${error}\n${fc.defaultReportMessage(details)?.slice(0, 3000)}`);
        }
      }
      process.stdout.write(`schema fuzzing: ${fuzzed.length} operations, ${requests} requests, seed ${SEED}\n${JSON.stringify(statuses, null, 1)}\n`);
      expect(failures).toEqual([]);
    },
    15 * 60_000,
  );
});

function toOpenApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}
