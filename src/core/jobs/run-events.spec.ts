import { Logger } from '@nestjs/common';
import { InProcessRunEvents, parseRunEvent, RunEvent } from './run-events';
import { RunState } from './entities/workflow-run.entity';

const event: RunEvent = { runId: 'r1', job: 'twitter.ingest', state: RunState.RUNNING, attempts: 1, at: '2026-12-04T00:00:00.000Z' };

describe(parseRunEvent.name, () => {
  it('should accept a run event as published', () => {
    expect(parseRunEvent(JSON.stringify(event))).toEqual(event);
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '"x"'],
    ['an unknown state', JSON.stringify({ ...event, state: 'DONE' })],
    ['a fractional attempt count', JSON.stringify({ ...event, attempts: 1.5 })],
    ['a missing run id', JSON.stringify({ ...event, runId: undefined })],
    ['an oversized message', JSON.stringify({ ...event, job: 'x'.repeat(5000) })],
  ])('should drop %s', (_case, message) => {
    expect(parseRunEvent(message)).toBeNull();
  });

  it('should keep only the known fields', () => {
    expect(parseRunEvent(JSON.stringify({ ...event, userId: 'someone' }))).toEqual(event);
  });
});

describe(InProcessRunEvents.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  it('should deliver to every subscriber until it unsubscribes, past a listener that throws', async () => {
    const events = new InProcessRunEvents();
    const seen: string[] = [];
    await events.subscribe(() => {
      throw new Error('broken listener');
    });
    const stop = await events.subscribe((received) => seen.push(received.state));
    events.publish(event);
    stop();
    events.publish({ ...event, state: RunState.COMPLETED });
    expect(seen).toEqual(['RUNNING']);
    await events.close();
  });
});
