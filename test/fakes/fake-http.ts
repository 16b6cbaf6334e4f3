// Shared plumbing for the in-process fake provider servers: lifecycle, body reading, JSON replies.
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

export type HeaderMap = Record<string, string>;

/** The bodies fakes accept are small; a cap keeps a runaway test from filling memory. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/**
 * Base class of every fake: one node:http server on 127.0.0.1 that tracks its sockets and timers so
 * `stop()` leaves nothing behind that would keep jest alive.
 */
export abstract class FakeHttpServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private url: string | undefined;

  /** The base URL once started (no trailing slash). */
  get baseUrl(): string {
    if (this.url === undefined) {
      throw new Error(`${this.constructor.name} is not started`);
    }
    return this.url;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server !== undefined) {
      return this.baseUrl;
    }
    const server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => this.replyWithCrash(res, error));
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) {
      return;
    }
    this.server = undefined;
    this.url = undefined;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive sockets of SDK clients would hold `close()` open forever; end them now.
    server.closeAllConnections();
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
    await closed;
  }

  /** A delay that `stop()` cancels, for simulating slow upstreams without leaking timers. */
  protected delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  protected abstract handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> | void;

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { error: 'request body too large' });
        return;
      }
      throw error;
    }
    await this.handle(req, body, res);
  }

  private replyWithCrash(res: ServerResponse, error: unknown): void {
    // A bug in a fake must fail the test loudly rather than hang it.
    const message = error instanceof Error ? error.message : String(error);
    if (!res.headersSent) {
      sendJson(res, 500, { error: 'fake server crashed', message });
    } else {
      res.destroy();
    }
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: HeaderMap = {},
  contentType = 'application/json; charset=utf-8',
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Request headers as a flat map, with the credentials replaced so logs can be asserted on safely. */
export function redactedHeaders(req: IncomingMessage, secretHeaders: readonly string[]): HeaderMap {
  const result: HeaderMap = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) {
      continue;
    }
    const flat = Array.isArray(value) ? value.join(', ') : value;
    if (name === 'authorization') {
      const scheme = flat.split(' ')[0] ?? '';
      result[name] = `${scheme} <redacted>`;
    } else if (secretHeaders.includes(name)) {
      result[name] = '<redacted>';
    } else {
      result[name] = flat;
    }
  }
  return result;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random [A-Za-z0-9] string, the alphabet both providers use in their ids. */
export function randomBase62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) {
    out += BASE62[byte % BASE62.length];
  }
  return out;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
