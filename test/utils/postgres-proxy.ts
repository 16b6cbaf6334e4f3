// A TCP proxy in front of the test PostgreSQL that a test can cut: every connection destroyed and
// new ones refused for a while. It can also watch the wire protocol from the app to the server and
// cut at the moment the app sends a chosen statement, before forwarding it.
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { TEST_DATABASE_URL } from './test-env';

/** What a cut did, for the test's assertions. */
export interface ProxyCut {
  /** The first characters of the statement that triggered it (only for `cutAtStatement`). */
  statement?: string;
  /** Sockets (app side and server side) the cut destroyed. */
  destroyedSockets: number;
  /** What `beforeCut` returned, e.g. the run's state read on a direct connection. */
  observed?: unknown;
}

interface StatementTrigger {
  pattern: RegExp;
  refuseMs: number;
  beforeCut: () => Promise<unknown>;
}

/** Startup and SSL/GSS requests carry no type byte; every later frontend message does. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
/** Bytes of SQL text enough to decide a match, so a huge statement is judged by its start. */
const SQL_PREFIX_BYTES = 256;

export class PostgresProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  /** New connections still to refuse before the current cut ends early (see `cut`). */
  private refusalsLeft = Number.POSITIVE_INFINITY;
  private refusalTimer: NodeJS.Timeout | undefined;
  private trigger: StatementTrigger | undefined;
  port = 0;
  /** Connections the app opened through the proxy. */
  connectionsAccepted = 0;
  /** Connections refused during a cut. */
  refusedConnections = 0;
  readonly cuts: ProxyCut[] = [];

  async start(): Promise<void> {
    const upstream = new URL(TEST_DATABASE_URL);
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        this.refusedConnections += 1;
        this.refusalsLeft -= 1;
        if (this.refusalsLeft <= 0) this.endRefusal();
        return;
      }
      this.connectionsAccepted += 1;
      const server = createConnection(Number(upstream.port || 5432), upstream.hostname);
      for (const socket of [client, server]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      const watcher = new FrontendStream();
      client.on('data', (chunk: Buffer) => {
        const trigger = this.trigger;
        const statement = watcher.push(chunk, trigger?.pattern);
        if (trigger && statement !== undefined) {
          // Not forwarded: the server never sees the statement.
          this.trigger = undefined;
          client.pause();
          void trigger.beforeCut().then(
            (observed) => this.cutNow(trigger.refuseMs, { statement, observed }),
            (error: unknown) => this.cutNow(trigger.refuseMs, { statement, observed: error }),
          );
          return;
        }
        if (!server.write(chunk)) client.pause();
      });
      server.on('drain', () => client.resume());
      server.pipe(client);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const url = new URL(TEST_DATABASE_URL);
    url.host = `127.0.0.1:${this.port}`;
    return url.toString();
  }

  /**
   * Drops every connection now and refuses new ones for `refuseMs`, or only until `refuseConnections`
   * have been refused: then the app's next attempt after that one gets through.
   */
  cut(refuseMs: number, { observed, refuseConnections }: { observed?: unknown; refuseConnections?: number } = {}): ProxyCut {
    return this.cutNow(refuseMs, { observed }, refuseConnections);
  }

  /**
   * Arms a cut at the next Query or Parse message whose SQL text matches `pattern`: the message is
   * held, `beforeCut` runs (on connections of the test's own), then every connection is dropped.
   */
  cutAtStatement(pattern: RegExp, refuseMs: number, beforeCut: () => Promise<unknown> = async () => undefined): void {
    this.trigger = { pattern, refuseMs, beforeCut };
  }

  async stop(): Promise<void> {
    this.endRefusal();
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private cutNow(refuseMs: number, details: Omit<ProxyCut, 'destroyedSockets'>, refuseConnections = Number.POSITIVE_INFINITY): ProxyCut {
    this.refusing = refuseMs > 0 && refuseConnections > 0;
    this.refusalsLeft = refuseConnections;
    const cut: ProxyCut = { ...details, destroyedSockets: 0 };
    for (const socket of this.sockets) {
      if (!socket.destroyed) cut.destroyedSockets += 1;
      socket.destroy();
    }
    this.cuts.push(cut);
    clearTimeout(this.refusalTimer);
    if (this.refusing) this.refusalTimer = setTimeout(() => this.endRefusal(), refuseMs).unref();
    return cut;
  }

  private endRefusal(): void {
    this.refusing = false;
    this.refusalsLeft = Number.POSITIVE_INFINITY;
    clearTimeout(this.refusalTimer);
  }
}

/**
 * Splits the app-to-server byte stream into protocol messages, far enough to read the SQL text of
 * Query ('Q': the SQL) and Parse ('P': a statement name, then the SQL) messages.
 */
class FrontendStream {
  private buffered = Buffer.alloc(0);
  private startupDone = false;
  /** Bytes of the current message still to pass once its start has been judged. */
  private skip = 0;

  /** Returns the start of the SQL of the first matching message in `chunk`, if any. */
  push(chunk: Buffer, pattern?: RegExp): string | undefined {
    let data = chunk;
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, data.length);
      this.skip -= skipped;
      data = data.subarray(skipped);
    }
    this.buffered = Buffer.concat([this.buffered, data]);
    for (;;) {
      if (!this.startupDone) {
        if (this.buffered.length < 8) return undefined;
        const length = this.buffered.readInt32BE(0);
        const code = this.buffered.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.startupDone = true;
        if (!this.consume(length)) return undefined;
        continue;
      }
      if (this.buffered.length < 5) return undefined;
      const type = String.fromCharCode(this.buffered[0]);
      const total = this.buffered.readInt32BE(1) + 1;
      if (pattern && (type === 'Q' || type === 'P')) {
        const available = Math.min(total, this.buffered.length);
        const body = this.buffered.subarray(5, available);
        let sqlStart = 0;
        if (type === 'P') {
          const nameEnd = body.indexOf(0);
          if (nameEnd === -1) return undefined;
          sqlStart = nameEnd + 1;
        }
        const sqlEnd = body.indexOf(0, sqlStart);
        const haveEnough = sqlEnd !== -1 || body.length - sqlStart >= SQL_PREFIX_BYTES;
        if (!haveEnough) return undefined;
        const sql = body.subarray(sqlStart, sqlEnd === -1 ? sqlStart + SQL_PREFIX_BYTES : sqlEnd).toString('utf8');
        if (pattern.test(sql)) return sql.slice(0, 60);
      }
      if (!this.consume(total)) return undefined;
    }
  }

  /** Drops a message of `length` bytes; false when the rest of it has not arrived yet. */
  private consume(length: number): boolean {
    if (this.buffered.length >= length) {
      this.buffered = this.buffered.subarray(length);
      return true;
    }
    this.skip = length - this.buffered.length;
    this.buffered = Buffer.alloc(0);
    return false;
  }
}
