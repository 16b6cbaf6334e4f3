import { randomBytes } from 'node:crypto';
import { ContentDecryptionError, PersonKey, PersonKeyMessage } from './content-cipher';
import { ContentOpenerPool, OPEN_IN_WORKER_MIN_VALUES } from './content-opener-pool';

describe(ContentOpenerPool.name, () => {
  const key = new PersonKey('alice', 'kid-alice', randomBytes(32));
  const rows = 600;
  const rowIds = Array.from({ length: rows }, (_, i) => `row-${i}`);
  const texts = rowIds.map((id) => `tweet ${id} with ünïcödé 🎉`);
  const sealed = rowIds.map((id, i) => key.seal('twitter_data', 'text', id, texts[i]));
  let sut: ContentOpenerPool;

  beforeEach(() => {
    sut = new ContentOpenerPool();
  });

  afterEach(async () => {
    await sut.onModuleDestroy();
  });

  it('should open a large batch on a worker thread, in the rows\u2019 order, plain values and nulls as they are', async () => {
    const stored: Array<string | null> = [...sealed];
    stored[1] = 'a plain row not yet sealed';
    stored[2] = null;

    const [opened] = await sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored }]);

    expect(sut.threadCount).toBe(1);
    expect(opened).toHaveLength(rows);
    expect(opened[0]).toBe(texts[0]);
    expect(opened[1]).toBe('a plain row not yet sealed');
    expect(opened[2]).toBeNull();
    expect(opened.slice(3)).toEqual(texts.slice(3));
  });

  it('should move the key\u2019s copy to the thread, leaving no copy of it on the calling thread', async () => {
    const messages: PersonKeyMessage[] = [];
    const toWorkerMessage = key.toWorkerMessage.bind(key);
    jest.spyOn(key, 'toWorkerMessage').mockImplementation(() => {
      const message = toWorkerMessage();
      messages.push(message);
      return message;
    });

    const [opened] = await sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored: sealed }]);

    expect(opened).toEqual(texts);
    expect(messages).toHaveLength(1);
    expect(messages[0].key.byteLength).toBe(0); // detached: transferred, not cloned
    jest.restoreAllMocks();
  });

  it('should open several columns of the same rows, each under its own binding', async () => {
    const bodies = rowIds.map((id) => key.seal('support_tickets', 'body', id, `body of ${id}`));
    const subjects = rowIds.map((id) => key.seal('support_tickets', 'subject', id, `subject of ${id}`));

    const [openedSubjects, openedBodies] = await sut.openColumns(key, 'support_tickets', rowIds, [
      { column: 'subject', stored: subjects },
      { column: 'body', stored: bodies },
    ]);

    expect(openedSubjects[599]).toBe('subject of row-599');
    expect(openedBodies[0]).toBe('body of row-0');
  });

  it('should open a small batch on the calling thread without starting one', async () => {
    const few = OPEN_IN_WORKER_MIN_VALUES - 1;
    const [opened] = await sut.openColumns(key, 'twitter_data', rowIds.slice(0, few), [{ column: 'text', stored: sealed.slice(0, few) }]);

    expect(opened).toEqual(texts.slice(0, few));
    expect(sut.threadCount).toBe(0);
  });

  it('should fail with a ContentDecryptionError naming no content when a value was moved to another row', async () => {
    const moved = [...sealed];
    moved[300] = sealed[299];

    const failure = await sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored: moved }]).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ContentDecryptionError);
    expect((failure as Error).message).toContain('failed authentication');
    expect((failure as Error).message).not.toContain('tweet');
  });

  it('should refuse sealed values without a key, as openContent does', async () => {
    await expect(sut.openColumns(null, 'twitter_data', rowIds, [{ column: 'text', stored: sealed }])).rejects.toThrow(ContentDecryptionError);
  });

  it('should spread concurrent batches over its threads and still answer each batch its own values', async () => {
    const other = new PersonKey('bob', 'kid-bob', randomBytes(32));
    const bobs = rowIds.map((id) => other.seal('twitter_data', 'text', id, `bob ${id}`));

    const [alices, bobsOpened] = await Promise.all([
      sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored: sealed }]),
      sut.openColumns(other, 'twitter_data', rowIds, [{ column: 'text', stored: bobs }]),
    ]);

    expect(alices[0]).toEqual(texts);
    expect(bobsOpened[0][7]).toBe('bob row-7');
    expect(sut.threadCount).toBe(Math.min(2, sut.size));
  });

  it('should start every thread on warmUp, ready for the first batch', async () => {
    await sut.warmUp();

    expect(sut.threadCount).toBe(sut.size);
    const [opened] = await sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored: sealed }]);
    expect(opened).toEqual(texts);
    expect(sut.threadCount).toBe(sut.size);
  });

  it('should reject the batches of a thread that dies and start a new thread for the next batch', async () => {
    await sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored: sealed }]);
    const pending = sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored: sealed }]);
    await sut.onModuleDestroy();

    await expect(pending).rejects.toThrow('Content opener thread exited');
    const [opened] = await sut.openColumns(key, 'twitter_data', rowIds, [{ column: 'text', stored: sealed }]);
    expect(opened).toEqual(texts);
  });
});
