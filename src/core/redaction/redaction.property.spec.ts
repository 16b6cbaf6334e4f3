// Property tests: whatever surrounds it, a planted value of any entity type never survives
// redaction, and redaction of any text terminates quickly with consistent offsets.
import fc from 'fast-check';
import { ENTITY_TYPES, EntityType, RedactionProfile } from './entity-type';
import { redactObject } from './redact-object';
import { redactText } from './redact-text';
import { PLANTERS } from './testing/planted-pii';
import { seededRandom } from './testing/seeded-random';

const TYPES_BY_PROFILE: Record<RedactionProfile, readonly EntityType[]> = {
  // MENTION is personal data only for prompts: logs keep handles by design.
  log: ENTITY_TYPES.filter((type) => type !== 'MENTION'),
  prompt: ENTITY_TYPES,
};

// Random words of any Unicode, separated from the plant by a space: a plant glued to random
// digits ("5" + "4111 1111 1111 1111") would be another number, not the planted one.
const word = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const surroundingText = fc.array(word, { maxLength: 8 }).map((words) => words.join(' '));
const seed = fc.integer({ min: 0, max: 0x7fffffff });

describe(redactText.name, () => {
  describe.each(['log', 'prompt'] as const)('with the %s profile', (profile) => {
    it.each(TYPES_BY_PROFILE[profile])('should never let a planted %s through', (type) => {
      fc.assert(
        fc.property(seed, surroundingText, surroundingText, (plantSeed, before, after) => {
          const plant = PLANTERS[type](seededRandom(plantSeed));
          const output = redactText(`${before} ${plant.text} ${after}`, profile).text;
          return !output.includes(plant.value);
        }),
        { numRuns: 300 },
      );
    });

    it('should never let any of several planted values of mixed types through', () => {
      const types = fc.array(fc.constantFrom(...TYPES_BY_PROFILE[profile]), { minLength: 1, maxLength: 5 });
      fc.assert(
        fc.property(types, seed, fc.array(surroundingText, { minLength: 6, maxLength: 6 }), (plantedTypes, plantSeed, fillers) => {
          const random = seededRandom(plantSeed);
          const plants = plantedTypes.map((type) => PLANTERS[type](random));
          const text = plants.map((plant, i) => `${fillers[i]} ${plant.text}`).join(' ') + ` ${fillers[5]}`;
          const output = redactText(text, profile).text;
          return plants.every((plant) => !output.includes(plant.value));
        }),
        { numRuns: 300 },
      );
    });

    it('should report sorted, disjoint entities within the input', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
          const { entities } = redactText(text, profile);
          return entities.every(
            (entity, i) => entity.start >= 0 && entity.end <= text.length && entity.start < entity.end && (i === 0 || entities[i - 1].end <= entity.start),
          );
        }),
        { numRuns: 500 },
      );
    });
  });

  it('should leave text of lowercase words alone', () => {
    const lowercaseWords = fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { maxLength: 20 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(lowercaseWords, (text) => redactText(text, 'log').text === text && redactText(text, 'prompt').text === text),
    );
  });

  it('should stay fast on inputs built to make patterns backtrack', () => {
    const pathological = [
      '1'.repeat(20000),
      '1 '.repeat(10000),
      '1-'.repeat(10000),
      '+1 '.repeat(7000),
      '@'.repeat(20000),
      'a@'.repeat(10000),
      'a.'.repeat(10000) + '@',
      ':'.repeat(20000),
      'ab:'.repeat(7000),
      'AB12 '.repeat(4000),
      'GB82' + 'A'.repeat(20000),
      'password='.repeat(2000),
      'Bearer '.repeat(3000),
      'https://' + 'a'.repeat(20000),
      'eyJ' + 'a'.repeat(20000),
      '-----BEGIN PRIVATE KEY-----' + 'x'.repeat(20000),
    ];
    const millisecondsFor = (text: string): number => {
      const started = performance.now();
      redactText(text, 'prompt');
      return performance.now() - started;
    };
    const slow = pathological.filter((text) => millisecondsFor(text) > 500).map((text) => text.slice(0, 12));
    expect(slow).toEqual([]);
  });
});

describe(redactObject.name, () => {
  it('should never let a planted value through, at any depth', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES_BY_PROFILE.log), seed, fc.integer({ min: 0, max: 6 }), (type, plantSeed, depth) => {
        const plant = PLANTERS[type](seededRandom(plantSeed));
        let value: unknown = { note: `see ${plant.text} ok` };
        for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { nested: value };
        return !JSON.stringify(redactObject(value, 'log')).includes(plant.value);
      }),
      { numRuns: 300 },
    );
  });
});
