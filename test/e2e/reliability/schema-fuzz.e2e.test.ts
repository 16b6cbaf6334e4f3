// Schema-driven fuzzing: every operation of the OpenAPI document (/docs-json), including those
// without parameters or body, gets requests built from its schemas. Each case is built as valid
// or with one named mutation (wrong type, missing required field, unknown field, out of range, bad
// enum, over maxLength, bad format, malformed JSON, a body where none is taken, a missing or
// forged Stripe-Signature...). A mutated case must be refused (4xx) and must leave the content of
// every table unchanged, compared by checksum once the app is idle; a valid case may be refused for
// domain reasons (403 CONSENT_REQUIRED, 404 unknown id) but never get a 5xx. The document must
// list exactly the app's routes. Bounded runs with a fixed seed (FUZZ_SEED, FUZZ_RUNS to change
// them); a failure prints the seed and the counterexample.
import { USER_ID_PATTERN } from '../../../src/core/auth/authenticated-user';
import { SchedulerRegistry } from '@nestjs/schedule';
import fc from 'fast-check';
import Stripe from 'stripe';
import { RunExecutor } from '../../../src/core/jobs/run-executor';
import { startTestApp, TestApp } from '../../utils/test-app';
import { endStreams, listRoutes, STREAMING_ROUTES } from './routes';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const STRIPE_SECRET = 'whsec_reliability_fuzz_0123456789';

/**
 * Routes served by the app that are not in the API document, on purpose. They are browser pages
 * and their static assets: HTML and CSS/JS, no JSON in or out, no input but the path, covered by
 * test/browser. Describing them as API operations would only add noise for API clients. A new
 * route missing from the document fails the test until it is documented or added here.
 */
const UNDOCUMENTED_ROUTES = [
  'GET /admin/runs',
  'GET /assets/admin/console.css',
  'GET /assets/admin/runs-console.js',
  'GET /assets/privacy/privacy-settings.js',
  'GET /assets/privacy/privacy.css',
  'GET /assets/shared/api-client.js',
  'GET /data-requests',
  'GET /privacy',
  'GET /settings/privacy',
  'GET /terms',
];

/**
 * OAuth 2 redirect targets take what the authorization server appends (RFC 6749 §4.1.2.1 allows
 * error_description and error_uri besides the declared parameters): undeclared query parameters
 * are not a client's mistake there, so they are not a mutation.
 */
const OPEN_QUERY_OPERATIONS = new Set(['GET /api/twitter/callback']);

/**
 * Columns that change on every accepted *and* refused request, left out of the checksum:
 * users.last_seen_at records that an authenticated user called the API at all, which the auth
 * layer writes before any validation (a refused request is still a sign of life). The auth layer
 * also creates the users row on a user's first request, so each case's user is made known before
 * the first checksum (see `touch`); the row's other columns stay in the checksum.
 */
const VOLATILE_COLUMNS: Record<string, string[]> = { users: ['last_seen_at'] };

/**
 * Rows a refusal itself writes, left out of the checksum: each ConsentGuard refusal (a 403 that
 * the guard gives before the body is validated) is recorded as a failed consent verification for
 * Monitoring (issue 21). It records the refusal and its reason code, never the input; every other
 * row of the table stays in the checksum.
 */
const REFUSAL_RECORDS: Record<string, string> = { compliance_events: "kind <> 'consent_check_failed'" };

type Mutation =
  | 'wrong type'
  | 'missing required field'
  | 'unknown field'
  | 'out of range'
  | 'bad enum'
  | 'over maxLength'
  | 'under minLength'
  | 'bad format'
  | 'NUL character'
  | 'malformed JSON'
  | 'not an object'
  | 'body where none is taken'
  | 'missing signature'
  | 'forged signature';

interface FuzzCase {
  /** `undefined`: built valid; else the one mutation applied, and where. */
  mutation: { kind: Mutation; at: string } | undefined;
  pathParams: Record<string, string>;
  query: Array<[string, string]>;
  /** `undefined`: no body; a string: sent as raw JSON text. */
  body: string | undefined;
  /** How to sign the body when the operation takes a Stripe-Signature header. */
  signature: 'valid' | 'missing' | 'forged';
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  allOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const NASTY_STRINGS = [
  ' ',
  '\uFEFF',
  '__proto__',
  'constructor',
  'null',
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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A string with no NUL (the app refuses NUL everywhere, which is a mutation of its own). */
const cleanText = (minLength: number, maxLength: number) =>
  fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }),
    fc.constantFrom(...NASTY_STRINGS).filter((text) => text.length >= minLength && text.length <= maxLength),
  ).filter((text) => !text.includes('\u0000'));

/** A JSON value of a type other than `type`. */
function otherType(type: string | undefined): fc.Arbitrary<unknown> {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string({ minLength: 1, maxLength: 10 }),
    integer: fc.integer(),
    number: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Number.isInteger(value)),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  };
  const excluded = type === 'number' ? ['number', 'integer'] : type === 'integer' ? ['integer'] : [type ?? 'object'];
  return fc.oneof(...Object.entries(all).filter(([name]) => !excluded.includes(name)).map(([, arbitrary]) => arbitrary));
}

describe('Schema-driven fuzzing of every operation', () => {
  let sut: TestApp;
  let document: OpenApiDocument;
  let adminOperations: Set<string>;
  let checksums: () => Promise<Record<string, string>>;
  const user = 'fuzz-user';
  const admin = 'fuzz-admin';

  beforeAll(async () => {
    // A configured webhook, so its fuzzed bodies meet the signature check rather than a 503.
    // X configured too, so GET /api/twitter/connect answers rather than 503 TWITTER_NOT_CONFIGURED;
    // its API base is a closed local port: no fuzzed request can reach anything outside.
    sut = await startTestApp({
      env: {
        STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
        TWITTER_CLIENT_ID: 'fuzz-client',
        TWITTER_CLIENT_SECRET: 'fuzz-client-secret',
        TWITTER_API_BASE_URL: 'http://127.0.0.1:9',
        TWITTER_AUTHORIZE_URL: 'http://127.0.0.1:9/i/oauth2/authorize',
      },
    });
    // The app's own cron jobs (monitoring every 5 minutes) would write runs, logs and alerts
    // between a case's two checksums, which reads as a refused input having written something.
    for (const job of sut.app.get(SchedulerRegistry).getCronJobs().values()) void job.stop();
    await sut.resetDatabase();
    document = (await sut.http.get('/docs-json')).body as OpenApiDocument;
    adminOperations = new Set(listRoutes(sut.app).filter((route) => route.admin).map((route) => `${route.method} ${toOpenApiPath(route.path)}`));
    const tables = Object.values(sut.em().getMetadata().getAll()).map((meta) => meta.tableName);
    const sql = tables
      .map((table) => {
        const row = `(to_jsonb(t)${(VOLATILE_COLUMNS[table] ?? []).map((column) => ` - '${column}'`).join('')})::text`;
        const where = REFUSAL_RECORDS[table] ? ` where ${REFUSAL_RECORDS[table]}` : '';
        return `select '${table}' as t, coalesce(md5(string_agg(${row}, ',' order by ${row})), 'empty') as sum from "${table}" t${where}`;
      })
      .join(' union all ');
    checksums = async () =>
      Object.fromEntries((await sut.em().getConnection().execute<Array<{ t: string; sum: string }>>(sql)).map((row) => [row.t, row.sum]));
  });
  afterAll(() => sut.close());

  /** No run in flight: none PENDING or RUNNING in the database, and this app's worker executes none. */
  async function waitForIdle(): Promise<void> {
    const executor = sut.app.get(RunExecutor, { strict: false });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [{ n }] = await sut.em().getConnection().execute<Array<{ n: number }>>(
        `select count(*)::int as n from workflow_runs where state in ('PENDING', 'RUNNING')`,
      );
      if (n === 0 && executor.activeCount === 0) return;
      if (Date.now() > deadline) throw new Error(`the app is not idle after 30 s: ${n} runs pending or running`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The auth layer's own writes, before the checksum (see VOLATILE_COLUMNS). */
  async function touch(key: string): Promise<void> {
    const asAdmin = adminOperations.has(key);
    const response = await sut.http.get('/api/consent').set('Authorization', `Bearer ${sut.token(asAdmin ? admin : user, { admin: asAdmin })}`);
    expect(response.status).toBe(200);
  }

  function operations(): Array<{ key: string; path: string; method: string; operation: Operation }> {
    return Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, method: method.toUpperCase(), operation })),
    );
  }

  function resolve(schema: Schema | undefined): Schema {
    let current = schema ?? {};
    for (let depth = 0; current.$ref && depth < 10; depth += 1) {
      current = document.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')] ?? {};
    }
    if (current.allOf?.length) return current.allOf.map(resolve).reduce((merged, part) => ({ ...merged, ...part, properties: { ...merged.properties, ...part.properties } }), {});
    return current;
  }

  /** A value that satisfies the schema. */
  function validValue(raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
    const schema = resolve(raw);
    if (schema.enum?.length) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'string': {
        if (schema.format === 'uuid') return fc.uuid();
        if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
        if (schema.pattern === '^\\d{1,19}$') return fc.stringMatching(/^\d{1,19}$/);
        if (schema.pattern === USER_ID_PATTERN.source) return fc.stringMatching(USER_ID_PATTERN);
        if (schema.pattern) throw new Error(`no generator for the pattern ${schema.pattern}: add one`);
        const min = schema.minLength ?? 0;
        const max = schema.maxLength ?? 60;
        return fc.oneof({ arbitrary: cleanText(min, Math.min(max, 60)), weight: 4 }, fc.constant('x'.repeat(max)));
      }
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
      default: {
        const properties = schema.properties ?? {};
        const required = schema.required ?? [];
        const known = fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, validValue(property, depth + 1)])), {
          requiredKeys: required.filter((name) => name in properties),
        });
        if (schema.additionalProperties !== true) return known;
        const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((key) => !(key in properties) && !key.includes('\u0000')), cleanText(0, 8), { maxKeys: 2 });
        return fc.tuple(known, extra).map(([own, more]) => ({ ...more, ...own }));
      }
    }
  }

  /** Query text for a valid value. */
  const asQueryText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

  /** Ways to break one scalar (query or path parameter), each named. */
  function invalidScalarText(raw: Schema | undefined): Array<{ kind: Mutation; value: fc.Arbitrary<string> }> {
    const schema = resolve(raw);
    const broken: Array<{ kind: Mutation; value: fc.Arbitrary<string> }> = [];
    if (schema.type === 'integer' || schema.type === 'number') {
      const numbers = [
        ...(schema.minimum !== undefined ? [fc.integer({ min: schema.minimum - 1000, max: schema.minimum - 1 })] : []),
        ...(schema.maximum !== undefined ? [fc.integer({ min: schema.maximum + 1, max: schema.maximum + 10 ** 9 })] : []),
      ];
      if (numbers.length) broken.push({ kind: 'out of range', value: fc.oneof(...numbers).map(String) });
      const notNumbers = fc.oneof(cleanText(1, 20), fc.constantFrom('1.5', '1e3', '0x10', 'NaN', 'Infinity', '1,2'));
      broken.push({ kind: 'wrong type', value: notNumbers.filter((text) => (schema.type === 'integer' ? !/^-?\d+$/.test(text) : Number.isNaN(Number(text)))) });
    }
    if (schema.type === 'boolean') broken.push({ kind: 'wrong type', value: cleanText(1, 20).filter((text) => text !== 'true' && text !== 'false') });
    if (schema.enum?.length) broken.push({ kind: 'bad enum', value: cleanText(1, 20).filter((text) => !schema.enum?.includes(text)) });
    if (schema.format === 'uuid') broken.push({ kind: 'bad format', value: cleanText(1, 60).filter((text) => !UUID.test(text)) });
    if (schema.pattern) {
      const pattern = new RegExp(schema.pattern);
      broken.push({ kind: 'bad format', value: fc.oneof(cleanText(1, 30), fc.stringMatching(/^\d{20,30}$/)).filter((text) => !pattern.test(text)) });
    }
    if (schema.type === 'string' && schema.maxLength !== undefined) {
      broken.push({ kind: 'over maxLength', value: fc.integer({ min: schema.maxLength + 1, max: schema.maxLength + 2000 }).map((length) => 'x'.repeat(length)) });
    }
    if (schema.type === 'string' && !schema.format && !schema.pattern && !schema.enum) {
      broken.push({ kind: 'NUL character', value: cleanText(0, 10).map((text) => `${text}\u0000`) });
    }
    return broken;
  }

  function caseArbitrary(key: string, method: string, operation: Operation): fc.Arbitrary<FuzzCase> {
    const parameters = operation.parameters ?? [];
    const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
    const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
    const signed = parameters.some((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'stripe-signature');
    const unknownHeaders = parameters.filter((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() !== 'stripe-signature');
    if (unknownHeaders.length) throw new Error(`${key}: no generator for the header ${unknownHeaders[0].name}: add one`);
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    if (operation.requestBody && !bodySchema) throw new Error(`${key}: a request body that is not JSON: add a generator`);

    const validPath = fc.record(
      Object.fromEntries(pathParameters.map((parameter) => [parameter.name, validValue(parameter.schema).map(asQueryText).filter((text) => text.length > 0)])),
    );
    const validQuery = fc
      .subarray(queryParameters)
      .chain((chosen) => fc.tuple(...chosen.map((parameter) => validValue(parameter.schema).map((value): [string, string] => [parameter.name, asQueryText(value)]))));
    const validBody: fc.Arbitrary<string | undefined> = bodySchema
      ? validValue(bodySchema).map((value) => JSON.stringify(value))
      : method === 'GET'
        ? fc.constant(undefined)
        : fc.constantFrom(undefined, '{}');
    const valid = fc.record({ pathParams: validPath, query: validQuery, body: validBody }).map(
      (parts): FuzzCase => ({ ...parts, mutation: undefined, signature: 'valid' }),
    );

    const mutated: Array<fc.Arbitrary<FuzzCase>> = [];
    const mutate = (kind: Mutation, at: string, change: fc.Arbitrary<(base: FuzzCase) => FuzzCase>) =>
      mutated.push(fc.tuple(valid, change).map(([base, apply]) => ({ ...apply(base), mutation: { kind, at } })));

    for (const parameter of pathParameters) {
      for (const { kind, value } of invalidScalarText(parameter.schema)) {
        // Node refuses request heads over 16 KB before the app sees them, and an empty segment is another route.
        mutate(kind, `path ${parameter.name}`, value.filter((text) => text.length > 0 && text.length < 3000).map((text) => (base) => ({ ...base, pathParams: { ...base.pathParams, [parameter.name]: text } })));
      }
    }
    for (const parameter of queryParameters) {
      const replace = (text: string, repeat = false) => (base: FuzzCase): FuzzCase => ({
        ...base,
        query: [...base.query.filter(([name]) => name !== parameter.name), [parameter.name, text], ...(repeat ? [[parameter.name, text] as [string, string]] : [])],
      });
      for (const { kind, value } of invalidScalarText(parameter.schema)) mutate(kind, `query ${parameter.name}`, value.map((text) => replace(text)));
      // Repeated, it arrives as an array: never the scalar the schema says.
      mutate('wrong type', `query ${parameter.name} repeated`, validValue(parameter.schema).map((value) => replace(asQueryText(value), true)));
    }
    if (queryParameters.length > 0 && !OPEN_QUERY_OPERATIONS.has(key)) {
      const names = new Set(queryParameters.map((parameter) => parameter.name));
      mutate('unknown field', 'query', fc.tuple(fc.oneof(fc.constantFrom('userId', 'role', 'admin', 'limit[]', 'unknownField'), fc.string({ minLength: 1, maxLength: 10 })).filter((name) => !names.has(name) && !name.includes('\u0000')), cleanText(0, 20))
        .map(([name, text]) => (base) => ({ ...base, query: [...base.query, [name, text]] })));
    }

    if (method !== 'GET') {
      mutate('malformed JSON', 'body', fc.constantFrom('{', '{"a":', '[1,', 'nul', '{"a":1}{"b":2}', "{'a':1}", '{"a":1,}').map((text) => (base) => ({ ...base, body: text })));
    }
    if (bodySchema) addBodyMutations(resolve(bodySchema), mutate);
    else if (method !== 'GET') {
      mutate('body where none is taken', 'body', fc.oneof(
        fc.dictionary(fc.oneof(fc.constantFrom('dryRun', 'confirm', 'userId', 'force'), fc.string({ minLength: 1, maxLength: 8 })), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 }),
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      ).map((value) => (base) => ({ ...base, body: JSON.stringify(value) })));
    }
    if (signed) {
      mutate('missing signature', 'header Stripe-Signature', fc.constant((base) => ({ ...base, signature: 'missing' })));
      mutate('forged signature', 'header Stripe-Signature', fc.constant((base) => ({ ...base, signature: 'forged' })));
    }
    return mutated.length ? fc.oneof({ arbitrary: valid, weight: Math.max(2, Math.ceil(mutated.length / 2)) }, ...mutated) : valid;
  }

  function addBodyMutations(schema: Schema, mutate: (kind: Mutation, at: string, change: fc.Arbitrary<(base: FuzzCase) => FuzzCase>) => void): void {
    const properties = schema.properties ?? {};
    /** Changes the valid body's top-level object. */
    const edit = (change: (body: Record<string, unknown>) => Record<string, unknown> | string) => (base: FuzzCase): FuzzCase => {
      const result = change(JSON.parse(base.body ?? '{}') as Record<string, unknown>);
      return { ...base, body: typeof result === 'string' ? result : JSON.stringify(result) };
    };
    mutate('not an object', 'body', fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.string(), fc.integer(), fc.constant(null)).map((value) => edit(() => JSON.stringify(value))));
    for (const name of schema.required ?? []) mutate('missing required field', `body.${name}`, fc.constant(edit(({ [name]: _dropped, ...rest }) => rest)));
    for (const [name, raw] of Object.entries(properties)) {
      const property = resolve(raw);
      mutate('wrong type', `body.${name}`, otherType(property.type).map((value) => edit((body) => ({ ...body, [name]: value }))));
      if (property.type === 'string' && property.maxLength !== undefined) {
        mutate('over maxLength', `body.${name}`, fc.integer({ min: property.maxLength + 1, max: property.maxLength + 1000 }).map((length) => edit((body) => ({ ...body, [name]: 'x'.repeat(length) }))));
      }
      if (property.type === 'string' && (property.minLength ?? 0) > 0) {
        mutate('under minLength', `body.${name}`, fc.constant(edit((body) => ({ ...body, [name]: 'x'.repeat((property.minLength ?? 1) - 1) }))));
      }
      if (property.type === 'integer' && property.minimum !== undefined) {
        mutate('out of range', `body.${name}`, fc.integer({ min: property.minimum - 1000, max: property.minimum - 1 }).map((value) => edit((body) => ({ ...body, [name]: value }))));
      }
      if (property.type === 'string' && !property.enum) {
        mutate('NUL character', `body.${name}`, cleanText(0, 10).map((text) => edit((body) => ({ ...body, [name]: `${text}\u0000` }))));
      }
    }
    if (schema.additionalProperties !== true) {
      mutate('unknown field', 'body', fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'userId', 'id', 'role', 'isAdmin'), fc.string({ minLength: 1, maxLength: 10 })).filter((name) => !(name in properties)), fc.jsonValue({ maxDepth: 2 }))
        // Written by hand: `{ ...body, __proto__: x }` would set the prototype, not a key.
        .map(([name, value]) => edit((body) => `{${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}${Object.keys(body).length ? `,${JSON.stringify(body).slice(1)}` : '}'}`)));
    }
  }

  async function send(key: string, path: string, method: string, input: FuzzCase) {
    const asAdmin = adminOperations.has(key);
    const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(input.pathParams[name] ?? 'x'));
    const search = new URLSearchParams(input.query).toString();
    let pending = sut.http[method.toLowerCase() as 'get' | 'post' | 'delete' | 'put' | 'patch'](search ? `${url}?${search}` : url)
      .set('Authorization', `Bearer ${sut.token(asAdmin ? admin : user, { admin: asAdmin })}`)
      .redirects(0);
    // An event stream answers for as long as the client listens: take its first chunk and hang up.
    if (STREAMING_ROUTES.has(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`)) pending = endStreams(pending);
    const signatures = { valid: STRIPE_SECRET, forged: 'whsec_not_the_configured_secret_0123456789', missing: undefined };
    const secret = signatures[input.signature];
    if (secret !== undefined) pending = pending.set('Stripe-Signature', Stripe.webhooks.generateTestHeaderString({ payload: input.body ?? '', secret }));
    if (input.body !== undefined) pending = pending.set('Content-Type', 'application/json').send(input.body);
    return pending;
  }

  it('should document exactly the routes of the app, less the listed browser pages', () => {
    const routes = listRoutes(sut.app).map((route) => `${route.method} ${toOpenApiPath(route.path)}`);
    const documented = operations().map(({ key }) => key);
    expect(documented.filter((key) => !routes.includes(key))).toEqual([]);
    expect(routes.filter((key) => !documented.includes(key)).sort()).toEqual([...UNDOCUMENTED_ROUTES].sort());
    // The fuzzer depends on these: a header or a body must be declared to be fuzzed.
    expect(operations().find(({ key }) => key === 'POST /api/billing/stripe/webhook')?.operation).toMatchObject({
      parameters: [expect.objectContaining({ name: 'Stripe-Signature', in: 'header', required: true })],
      requestBody: expect.objectContaining({ content: { 'application/json': expect.anything() } }),
    });
  });

  it('should refuse a NUL character with a 400 naming the field (found by this fuzzer: it was a 500)', async () => {
    await touch('GET /api/runs');
    await waitForIdle();
    const before = await checksums();
    const response = await sut.http
      .post('/api/support/tickets')
      .set('Authorization', `Bearer ${sut.token(user)}`)
      .send({ subject: 'nul', body: 'before\u0000after' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body must not contain NUL characters' });
    const query = await sut.http.get('/api/runs?before=%00').set('Authorization', `Bearer ${sut.token(user)}`);
    expect(query.status).toBe(400);
    expect(query.body.message).toContain('before');
    await waitForIdle();
    expect(await checksums()).toEqual(before);
  });

  it('should refuse a signed Stripe delivery that is not an event with a 400, writing nothing (found by this fuzzer: it was a 500)', async () => {
    await waitForIdle();
    const before = await checksums();
    for (const body of ['[]', '{}', JSON.stringify({ id: 'evt_nul\u0000', type: 'x', created: 1, data: { object: {} } })]) {
      const response = await sut.http
        .post('/api/billing/stripe/webhook')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }))
        .send(body);
      expect({ body, status: response.status, code: response.body.code }).toEqual({ body, status: 400, code: 'STRIPE_EVENT_INVALID' });
    }
    expect(await checksums()).toEqual(before);
  });

  it('should refuse a body on a route that takes none, and still take `{}` (found by this fuzzer: the body was ignored)', async () => {
    const auth = { Authorization: `Bearer ${sut.token(user)}` };
    await touch('POST /api/privacy/delete-my-data');
    await waitForIdle();
    const before = await checksums();
    const refused = await sut.http.post('/api/privacy/delete-my-data').set(auth).send({ confirm: false });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'this route takes no request body' });
    await waitForIdle();
    expect(await checksums()).toEqual(before);
    expect((await sut.http.delete('/api/twitter/connection').set(auth).send({})).status).toBe(204);
  });

  it(
    'should refuse every mutated input with a 4xx that writes nothing, and answer no valid input with a 5xx',
    async () => {
      const all = operations();
      expect(all.length).toBeGreaterThanOrEqual(25);
      const failures: string[] = [];
      let requests = 0;
      const outcomes: Record<string, number> = {};

      for (const { key, path, method, operation } of all) {
        const redirectOnly = Object.keys(operation.responses ?? {}).every((status) => !status.startsWith('2')) && '302' in (operation.responses ?? {});
        const details = await fc.check(
          fc.asyncProperty(caseArbitrary(key, method, operation), async (input) => {
            if (input.mutation) await touch(key);
            await waitForIdle();
            const before = input.mutation ? await checksums() : undefined;
            const response = await send(key, path, method, input);
            requests += 1;
            const label = `${key} ${input.mutation?.kind ?? 'valid'} ${response.status}`;
            outcomes[label] = (outcomes[label] ?? 0) + 1;
            if (response.status >= 500) throw new Error(`${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
            if (!input.mutation) return;
            // An OAuth redirect target refuses by sending the browser to the error page, not with a 4xx.
            const location = String(response.headers.location ?? '');
            const refused = response.status >= 400 || (redirectOnly && response.status === 302 && /[?&]error=/.test(location));
            if (!refused) throw new Error(`${input.mutation.kind} at ${input.mutation.at} was accepted: ${response.status} ${location} ${JSON.stringify(response.body).slice(0, 300)}`);
            await waitForIdle();
            const after = await checksums();
            const changed = Object.keys(after).filter((table) => after[table] !== before?.[table]);
            if (changed.length > 0) throw new Error(`${input.mutation.kind} at ${input.mutation.at}: ${response.status}, but the content of ${changed.join(', ')} changed`);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
        if (details.failed) {
          const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
          failures.push(`${key}: ${error}\n${fc.defaultReportMessage(details)?.slice(0, 3000)}`);
        }
      }
      process.stdout.write(`schema fuzzing: ${all.length} operations, ${requests} requests, seed ${SEED}\n${JSON.stringify(outcomes, null, 1)}\n`);
      expect(failures).toEqual([]);
      // Each kind of mutation reached the app somewhere, and valid cases were sent too.
      const kinds = new Set(Object.keys(outcomes).map((label) => label.split(' ').slice(2, -1).join(' ')));
      expect([...kinds].sort()).toEqual(
        ['valid', 'wrong type', 'missing required field', 'unknown field', 'out of range', 'bad enum', 'over maxLength', 'under minLength', 'bad format', 'NUL character', 'malformed JSON', 'not an object', 'body where none is taken', 'missing signature', 'forged signature'].sort(),
      );
    },
    15 * 60_000,
  );
});

function toOpenApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

