import { foundInText } from '../testing/found-values';
import { credentialValueDetector, tokenShapeDetector } from './secret.detector';
import { foundByDetector } from '../testing/found-values';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('tokenShapeDetector', () => {
  it.each([
    ['jwt', JWT],
    ['openai', 'sk-proj-abcDEF1234567890ghijKLMN'],
    ['openai legacy', 'sk-abcdefghijklmnop1234'],
    ['anthropic', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345'],
    ['stripe live', 'sk_live_51HxYzAbCdEf123456'],
    ['stripe restricted', 'rk_test_abcdef1234567890'],
    ['github', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['github fine-grained', 'github_pat_11ABCDEFG0abcdefghijklmnopqrstuvwxyz'],
    ['slack bot', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKl'],
    ['slack user', 'xoxp-123456789012-abcdef'],
    ['aws access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['google', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
  ])('should find a %s token', (_kind, token) => {
    expect(foundByDetector(tokenShapeDetector, `token ${token} here`)).toEqual([['SECRET', token]]);
  });

  it('should find a PEM private key, also when its end was cut off', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    expect(foundByDetector(tokenShapeDetector, `key:\n${pem}\nrest`)).toEqual([['SECRET', pem]]);
    expect(foundByDetector(tokenShapeDetector, '-----BEGIN PRIVATE KEY-----\nMIIEvQ')).toEqual([
      ['SECRET', '-----BEGIN PRIVATE KEY-----\nMIIEvQ'],
    ]);
  });

  it.each(['task-abcdefghijklmnopqrstu', 'sk-short', 'eyJ.not.a.jwt', 'AKIA123', 'risk_live_abcdefghij1234', 'a desk-top computer'])(
    'should find nothing in %j',
    (text) => {
      expect(foundByDetector(tokenShapeDetector, text)).toEqual([]);
    },
  );
});

describe('tokenShapeDetector after Bearer', () => {
  it('should find the token after Bearer, not the word', () => {
    expect(foundByDetector(tokenShapeDetector, 'Authorization: Bearer abc123def456ghi')).toEqual([['SECRET', 'abc123def456ghi']]);
    expect(foundByDetector(tokenShapeDetector, 'bearer dGVzdDp0ZXN0MTIz==')).toEqual([['SECRET', 'dGVzdDp0ZXN0MTIz==']]);
  });

  it('should leave prose about bearers alone', () => {
    expect(foundByDetector(tokenShapeDetector, 'the bearer of bad news; bearer instruments')).toEqual([]);
  });
});

describe('credentialValueDetector', () => {
  it.each([
    ['password=hunter2', 'hunter2'],
    ['PASSWORD: hunter2', 'hunter2'],
    ['{"password": "hunter 2"}', 'hunter 2'],
    ["{'passwd':'p@ss'}", 'p@ss'],
    ['"pwd":"x\\"y"', 'x\\"y'],
    ['?access_token=ya29.a0Af&scope=x', 'ya29.a0Af'],
    ['refresh_token=1//0gAbC', '1//0gAbC'],
    ['secret: s3cr3t', 's3cr3t'],
    ['client_secret=abc', 'abc'],
    ['api_key=AbC123', 'AbC123'],
    ['apiKey: "k-1"', 'k-1'],
    ['X-API-KEY: k2', 'k2'],
    ['DB_PASSWORD=pa55', 'pa55'],
    ['private_key="-----BEGIN"', '-----BEGIN'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Basic dXNlcjpwYXNz'],
    ['Cookie: sid=abc; theme=dark', 'sid=abc; theme=dark'],
    ['set-cookie: sid=abc; Path=/', 'sid=abc; Path=/'],
  ])('should find the value in %j', (text, value) => {
    expect(foundByDetector(credentialValueDetector, text)).toEqual([['SECRET', value]]);
  });

  it.each(['password reset link sent', 'tokens: 1200', 'my secretary: Jane', 'password=[SECRET]', '"token": "[SECRET_2]"'])(
    'should find nothing in %j',
    (text) => {
      expect(foundByDetector(credentialValueDetector, text)).toEqual([]);
    },
  );

  it('should report one secret when a JWT is also a bearer token', () => {
    expect(foundInText(`Authorization: Bearer ${JWT}`)).toEqual([['SECRET', `Bearer ${JWT}`]]);
  });
});
