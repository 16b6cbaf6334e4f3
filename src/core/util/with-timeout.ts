// Bounds on how long to wait for a promise (a Redis or database probe, an enqueue).

/**
 * Resolves like `promise`, or rejects with "`what` within `ms` ms" once `ms` have passed. The
 * promise itself keeps running; its late rejection is ignored rather than left unhandled.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what = 'no answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    void promise.catch(() => undefined);
  }
}
