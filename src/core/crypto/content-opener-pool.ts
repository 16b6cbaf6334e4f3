// Opens large batches of one person's sealed values on worker threads, so a big read (an export of
// hundreds of thousands of rows) decrypts on other cores while the main thread reads the next batch
// from the database and writes the last one. Each value costs one AES-GCM set-up in OpenSSL (about
// 6 µs through node:crypto, more than the rest of an exported row), and node:crypto has no way to
// reuse one cipher context across values with different nonces, so parallelism is what is left.
// Small batches (a page of an API list) are opened inline: a round trip to a thread costs more.
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ContentDecryptionError, openColumnValues, PersonKey, PersonKeyMessage } from './content-cipher';

/** Fewer values than this are opened on the calling thread. */
export const OPEN_IN_WORKER_MIN_VALUES = 256;

/** A ping, answered with nothing opened once the thread has loaded (see `warmUp`). */
export interface PingRequest {
  id: number;
  ping: true;
}

/** One batch: the same rows' values of one or more columns of `table`, all one person's. */
export interface OpenBatchRequest {
  id: number;
  key: PersonKeyMessage;
  table: string;
  rowIds: string[];
  columns: Array<{ column: string; stored: Array<string | null> }>;
}

export type OpenBatchReply =
  | { id: number; opened: Array<Array<string | null>> }
  | { id: number; decryptionError: string }
  | { id: number; failure: string };

interface Pending {
  resolve(opened: Array<Array<string | null>>): void;
  reject(error: Error): void;
}

/** One worker thread and the batches it has not answered yet. */
class OpenerThread {
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;

  constructor(onExit: (thread: OpenerThread) => void) {
    const file = join(__dirname, `content-opener.worker${extname(__filename)}`);
    // Under ts-node or Jest the worker is TypeScript too: it needs ts-node's loader, which a
    // compiled build (dist, production) does not; there the thread inherits the process's flags.
    const execArgv = file.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : undefined;
    this.worker = new Worker(file, { execArgv });
    this.worker.unref();
    this.worker.on('message', (reply: OpenBatchReply) => this.settle(reply));
    this.worker.on('error', (error) => this.failAll(new Error(`Content opener thread failed: ${error.name}`)));
    this.worker.on('exit', () => {
      this.failAll(new Error('Content opener thread exited'));
      onExit(this);
    });
  }

  open(request: OpenBatchRequest | PingRequest): Promise<Array<Array<string | null>>> {
    return new Promise((resolve, reject) => {
      // Referenced only while it owes an answer: an idle pool never keeps the process alive.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(request.id, { resolve, reject });
      // The key's copy is moved, not cloned: no second copy of it stays behind on this thread.
      this.worker.postMessage(request, 'key' in request ? [request.key.key.buffer as ArrayBuffer] : []);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private settle(reply: OpenBatchReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('opened' in reply) pending.resolve(reply.opened);
    else if ('decryptionError' in reply) pending.reject(new ContentDecryptionError(reply.decryptionError));
    else pending.reject(new Error(`Content opener thread failed: ${reply.failure}`));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

@Injectable()
export class ContentOpenerPool implements OnModuleDestroy {
  /** Threads are started on first use and kept; one core is left to the main thread. */
  readonly size = Math.max(1, Math.min(4, availableParallelism() - 1));
  private readonly threads: OpenerThread[] = [];
  private nextRequestId = 0;

  /**
   * Opens `columns` of `table` for the rows `rowIds` (each column's values in the rows' order):
   * plain values are returned as they are, null stays null, sealed values are opened with `key`.
   * Fails with ContentDecryptionError as `openContent` does, for the first value that does not open.
   */
  async openColumns(key: PersonKey | null, table: string, rowIds: string[], columns: Array<{ column: string; stored: Array<string | null> }>): Promise<Array<Array<string | null>>> {
    const values = rowIds.length * columns.length;
    if (!key || values < OPEN_IN_WORKER_MIN_VALUES) return openColumnValues(key, table, rowIds, columns);
    const id = this.nextRequestId++;
    return this.thread(id).open({ id, key: key.toWorkerMessage(), table, rowIds, columns });
  }

  /**
   * Starts every thread now and waits until each has loaded, rather than on the first large batch:
   * for a process about to export, and for measurements of an export alone.
   */
  async warmUp(): Promise<void> {
    const pings: Array<Promise<unknown>> = [];
    while (this.threads.length < this.size) {
      const id = this.nextRequestId++;
      pings.push(this.thread(id).open({ id, ping: true }));
    }
    await Promise.all(pings);
  }

  /** Threads running now (started on first use; for tests and diagnostics). */
  get threadCount(): number {
    return this.threads.length;
  }

  async onModuleDestroy(): Promise<void> {
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  /** Batches go round the threads in turn, so concurrent batches spread over the cores. */
  private thread(requestId: number): OpenerThread {
    if (this.threads.length < this.size) {
      const thread = new OpenerThread((exited) => {
        const index = this.threads.indexOf(exited);
        if (index >= 0) this.threads.splice(index, 1);
      });
      this.threads.push(thread);
      return thread;
    }
    return this.threads[requestId % this.threads.length];
  }
}
