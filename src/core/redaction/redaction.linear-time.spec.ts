// Every detector, and both profiles end to end, must cost time linear in the input: the log
// redactor sees every request path, anonymous ones included, so a superlinear detector is a
// denial of service. Timing on a shared machine is noisy, so each size is timed as the best of
// several runs and the bound is generous: growing the input 16x may cost at most 64x the time.
// A quadratic detector costs 256x here (the URL trimming this test was written for: about 1 s
// at 16 KB, 17 s at 64 KB).
import { DETECTORS, detectEntities } from './detect-entities';
import { Findings } from './detectors/detector';
import { hintsFor } from './detectors/text-hints';
import { ADVERSARIAL_SHAPES } from './testing/adversarial-shapes';

const SMALL = 16 * 1024;
const LARGE = 256 * 1024;
const MAX_GROWTH = (LARGE / SMALL) * 4;
/** Below this a measurement is mostly timer noise: such shapes are fast whatever the ratio. */
const NOISE_FLOOR_MS = 2;

function bestOf(runs: number, work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

function growth(work: (text: string) => void, make: (length: number) => string): { small: number; large: number } {
  const small = make(SMALL);
  const large = make(LARGE);
  work(small); // warm up the JIT and the regex caches
  return { small: bestOf(5, () => work(small)), large: bestOf(5, () => work(large)) };
}

function expectLinear(label: string, { small, large }: { small: number; large: number }): void {
  if (large < NOISE_FLOOR_MS * (LARGE / SMALL)) return;
  const ratio = large / Math.max(small, NOISE_FLOOR_MS / 4);
  if (ratio > MAX_GROWTH) throw new Error(`${label}: ${small.toFixed(2)} ms at 16 KB, ${large.toFixed(2)} ms at 256 KB (x${ratio.toFixed(1)})`);
}

const detectors = [...new Set([...DETECTORS.log, ...DETECTORS.prompt])];

describe('Redaction in linear time', () => {
  it.each(Object.keys(ADVERSARIAL_SHAPES))('should run every detector in linear time on %s', (shape) => {
    const make = ADVERSARIAL_SHAPES[shape];
    for (const [index, detector] of detectors.entries()) {
      expectLinear(`detector ${index} on ${shape}`, growth((text) => {
        const hints = hintsFor(text);
        if (detector.applies(hints)) detector.detect(text, { entities: [], lookAlikes: [] } satisfies Findings, hints);
      }, make));
    }
  });

  it.each(Object.keys(ADVERSARIAL_SHAPES))('should redact %s in linear time with both profiles', (shape) => {
    for (const profile of ['log', 'prompt'] as const) {
      expectLinear(`${profile} profile on ${shape}`, growth((text) => detectEntities(text, profile), ADVERSARIAL_SHAPES[shape]));
    }
  });
});
