// A local identity provider's JWKS endpoint, with RS256 and ES256 keys, so the JWKS path of the
// auth guard is exercised over real HTTP.
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { sign } from 'jsonwebtoken';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export class FakeJwksServer {
  private server?: Server;
  /** How many times the JWKS was fetched. */
  requestCount = 0;
  /** While true the endpoint answers 503 (an identity provider outage). */
  unavailable = false;
  readonly keys: SigningKey[] = [
    { kid: 'rsa-1', alg: 'RS256', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) },
    { kid: 'ec-1', alg: 'ES256', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  ];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      this.requestCount += 1;
      if (this.unavailable) {
        res.writeHead(503).end();
        return;
      }
      const keys = this.keys.map(({ kid, alg, publicKey }) => ({ ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  /** Publishes a new key (a rotation at the identity provider); `sign` uses it when given its kid. */
  addKey(alg: 'RS256' | 'ES256', kid: string): void {
    const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.keys.push({ kid, alg, ...pair });
  }

  /** Signs with the key of `options.kid` when there is one, else with the first key of `alg` under that kid. */
  sign(alg: 'RS256' | 'ES256', claims: Record<string, unknown>, options: { expiresIn?: number; kid?: string } = {}): string {
    const key =
      this.keys.find((candidate) => candidate.alg === alg && candidate.kid === options.kid) ?? this.keys.find((candidate) => candidate.alg === alg)!;
    const expiry = 'exp' in claims ? {} : { expiresIn: options.expiresIn ?? 300 };
    return sign(claims, key.privateKey, { algorithm: alg, keyid: options.kid ?? key.kid, ...expiry });
  }

  /** The RSA public key in PEM: used to forge an HS256 token "signed" with it (algorithm confusion). */
  rsaPublicKeyPem(): string {
    return this.keys[0].publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
