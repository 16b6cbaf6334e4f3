// The worker thread of ContentOpenerPool: opens one batch of one person's sealed values and
// answers them in the same order. It holds no state between messages: the key arrives with each
// batch and is dropped with it, so no key outlives its batch here or meets another person's.
import { parentPort } from 'node:worker_threads';
import { ContentDecryptionError, openColumnValues, PersonKey } from './content-cipher';
import type { OpenBatchReply, OpenBatchRequest, PingRequest } from './content-opener-pool';

function openBatch(request: OpenBatchRequest | PingRequest): OpenBatchReply {
  if ('ping' in request) return { id: request.id, opened: [] };
  try {
    return { id: request.id, opened: openColumnValues(PersonKey.fromWorkerMessage(request.key), request.table, request.rowIds, request.columns) };
  } catch (error) {
    // Only the error's own message crosses back: ContentDecryptionError never names content or keys.
    if (error instanceof ContentDecryptionError) return { id: request.id, decryptionError: error.message };
    return { id: request.id, failure: error instanceof Error ? error.name : 'Error' };
  } finally {
    // The key's bytes were moved here for this batch alone: wiped now rather than left to the GC.
    request.key.key.fill(0);
  }
}

parentPort?.on('message', (request: OpenBatchRequest | PingRequest) => parentPort?.postMessage(openBatch(request)));
