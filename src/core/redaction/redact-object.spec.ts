import { cutLongText, MAX_REDACTION_DEPTH, redactObject } from './redact-object';
import { isSensitiveKey } from './sensitive-keys';

describe(isSensitiveKey.name, () => {
  it.each([
    'password',
    'Password',
    'passwd',
    'pwd',
    'secret',
    'client_secret',
    'clientSecret',
    'token',
    'access_token',
    'accessToken',
    'refresh_token',
    'refreshToken',
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'Set-Cookie',
    'api_key',
    'apikey',
    'apiKey',
    'x-api-key',
    'API_KEY',
    'private_key',
    'privateKey',
    'dbPassword',
  ])('should treat %s as sensitive', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each(['user', 'tokens', 'input_tokens', 'secretary', 'keyboard', 'passwordHint_length', 'email'])(
    'should not treat %s as sensitive',
    (key) => {
      expect(isSensitiveKey(key)).toBe(false);
    },
  );
});

describe(redactObject.name, () => {
  it('should redact strings at every level of objects and arrays', () => {
    const input = { user: { contact: ['mail bob@example.com', { phone: '+1-202-555-0143' }] }, note: 'plain' };
    expect(redactObject(input)).toEqual({ user: { contact: ['mail [EMAIL]', { phone: '[PHONE]' }] }, note: 'plain' });
  });

  it('should replace values under credential keys whatever their type', () => {
    const input = {
      password: 'hunter2',
      apiKey: 12345,
      accessToken: { nested: 'x' },
      headers: { Authorization: 'Bearer abc', 'set-cookie': ['a=1'], cookie: null },
      client_secret: true,
    };
    expect(redactObject(input)).toEqual({
      password: '[SECRET]',
      apiKey: '[SECRET]',
      accessToken: '[SECRET]',
      headers: { Authorization: '[SECRET]', 'set-cookie': '[SECRET]', cookie: '[SECRET]' },
      client_secret: '[SECRET]',
    });
  });

  it('should keep numbers, booleans, null, undefined and dates', () => {
    const when = new Date('2024-01-15T10:00:00Z');
    const output = redactObject({ count: 3, ok: false, none: null, missing: undefined, when }) as Record<string, unknown>;
    expect(output).toEqual({ count: 3, ok: false, none: null, missing: undefined, when });
    expect(output.when).toBeInstanceOf(Date);
  });

  it('should replace binary data', () => {
    expect(redactObject({ file: Buffer.from('secret'), bytes: new Uint8Array(3), raw: new ArrayBuffer(2) })).toEqual({
      file: '[Binary]',
      bytes: '[Binary]',
      raw: '[Binary]',
    });
  });

  it('should replace cycles and keep shared references', () => {
    const shared = { email: 'a@b.io' };
    const input: Record<string, unknown> = { first: shared, second: shared };
    input.self = input;
    expect(redactObject(input)).toEqual({ first: { email: '[EMAIL]' }, second: { email: '[EMAIL]' }, self: '[Circular]' });
  });

  it('should replace cycles through arrays', () => {
    const list: unknown[] = ['x'];
    list.push(list);
    expect(redactObject(list)).toEqual(['x', '[Circular]']);
  });

  it('should turn errors into redacted plain objects, with their cause and own fields', () => {
    const cause = new Error('db down for bob@example.com');
    const error = Object.assign(new TypeError('failed for +44 20 7946 0958', { cause }), { code: 'E_FAIL' });
    const output = redactObject({ err: error }) as { err: Record<string, unknown> };
    expect(output.err).toMatchObject({
      name: 'TypeError',
      message: 'failed for [PHONE]',
      code: 'E_FAIL',
      cause: { name: 'Error', message: 'db down for [EMAIL]' },
    });
    expect(output.err.stack).toEqual(expect.stringContaining('TypeError: failed for [PHONE]'));
    expect(JSON.stringify(output)).not.toContain('7946');
    expect(JSON.stringify(output)).not.toContain('bob@example.com');
  });

  it('should not change its input', () => {
    const input = { password: 'hunter2', list: ['bob@example.com'], nested: { note: 'call 202-555-0143' } };
    const copy = structuredClone(input);
    redactObject(input, 'prompt');
    expect(input).toEqual(copy);
  });

  it('should truncate objects nested deeper than the limit', () => {
    let deep: Record<string, unknown> = { leaf: 'bob@example.com' };
    for (let level = 0; level < MAX_REDACTION_DEPTH + 2; level++) deep = { child: deep };
    let output = redactObject(deep);
    let depth = 0;
    while (typeof output === 'object' && output !== null) {
      output = (output as { child?: unknown }).child;
      depth++;
    }
    expect(depth).toBe(MAX_REDACTION_DEPTH);
    expect(output).toBe('[Truncated]');
  });

  it('should share placeholders across the whole value in the prompt profile', () => {
    expect(redactObject({ a: '@alice says hi', b: ['and @bob', 'and @alice'] }, 'prompt')).toEqual({
      a: '[USER_1] says hi',
      b: ['and [USER_2]', 'and [USER_1]'],
    });
  });

  it('should redact personal data used as a key', () => {
    expect(redactObject({ 'bob@example.com': 1 })).toEqual({ '[EMAIL]': 1 });
  });

  it('should redact what JSON would write for objects with toJSON', () => {
    const entity = { internal: 'x', toJSON: () => ({ email: 'bob@example.com' }) };
    expect(redactObject(entity)).toEqual({ email: '[EMAIL]' });
  });

  it('should turn maps into objects and sets into arrays', () => {
    expect(redactObject({ m: new Map([['k', 'a@b.io']]), s: new Set(['a@b.io']) })).toEqual({ m: { k: '[EMAIL]' }, s: ['[EMAIL]'] });
  });

  it('should not let a __proto__ key change the copy prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}}') as object;
    const output = redactObject(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should redact a bare string and pass a bare number through', () => {
    expect(redactObject('mail a@b.io')).toBe('mail [EMAIL]');
    expect(redactObject(42)).toBe(42);
  });
});

describe(cutLongText.name, () => {
  it('should keep a text within the limit as it is', () => {
    expect(cutLongText('short text', 10)).toBe('short text');
  });

  it('should cut at a space near the limit and say how much was cut', () => {
    const text = `${'word '.repeat(10)}mail@example.com and more`;
    const cut = cutLongText(text, 55);
    expect(cut).toBe(`${'word '.repeat(10)}…[${text.length - 50} characters cut]`);
    expect(cut).not.toContain('mail@');
  });

  it('should cut a text without spaces at the limit', () => {
    expect(cutLongText(')'.repeat(10_000), 100)).toBe(`${')'.repeat(100)}…[9900 characters cut]`);
  });
});

describe('redactObject with a string limit', () => {
  it('should cut long strings before redacting them, and redact what is kept', () => {
    const redacted = redactObject({ path: `/api/${'a@b.io '.repeat(2000)}` }, 'log', { maxStringLength: 64 }) as { path: string };
    expect(redacted.path.length).toBeLessThan(200);
    expect(redacted.path).toMatch(/^\/api\/(\[EMAIL\] )+…\[\d+ characters cut\]$/);
  });
});
