// Reads GET /api/admin/runs/events the way the console page does: fetch with the bearer token in
// the Authorization header and a stream reader (EventSource cannot send headers). Usable against
// any instance's base URL, e.g. by a multi-instance test watching changes made elsewhere.
import type { RunEvent } from '../../src/core/jobs/run-events';

export interface RunEventStream {
  status: number;
  /** Every `run` event received so far, in order. */
  events: RunEvent[];
  /** Resolves with the first event (already received or still to come) that satisfies `predicate`. */
  waitFor(predicate: (event: RunEvent) => boolean, timeoutMs?: number): Promise<RunEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * Opens the stream and resolves once the server's `ready` event arrived (the subscription is in
 * place: every change made after this is delivered), or with the refusal's status (401, 403, 503).
 */
export async function openRunEventStream(baseUrl: string, token: string): Promise<RunEventStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/admin/runs/events`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const events: RunEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((waiter) => waiter());
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let ended: Promise<void> = Promise.resolve();

  if (response.ok && response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    ended = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const type = /^event: ?(.*)$/m.exec(frame)?.[1] ?? 'message';
            const data = [...frame.matchAll(/^data: ?(.*)$/gm)].map((match) => match[1]).join('\n');
            if (type === 'ready') markReady();
            if (type === 'run') {
              events.push(JSON.parse(data) as RunEvent);
              notify();
            }
          }
        }
      } catch {
        // aborted by close()
      } finally {
        markReady();
        notify();
      }
    })();
    await ready;
  } else {
    await response.body?.cancel();
  }

  return {
    status: response.status,
    events,
    ended,
    close: () => controller.abort(),
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise<RunEvent>((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no such run event within ${timeoutMs} ms; received: ${JSON.stringify(events)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
