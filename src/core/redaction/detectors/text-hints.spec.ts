// The hints only let detectors skip texts: a detector whose hint says "cannot match" must find
// nothing there, or the skip would hide personal data. Checked by running every detector on texts
// its hint rules out: planted values of every type, adversarial shapes, and random text from an
// alphabet of the characters the detectors and the hints look at.
import fc from 'fast-check';
import { DETECTORS } from '../detect-entities';
import { ENTITY_TYPES } from '../entity-type';
import { ADVERSARIAL_SHAPES } from '../testing/adversarial-shapes';
import { luhnInvalidCard, mod97InvalidIban, PLANTERS } from '../testing/planted-pii';
import { seededRandom } from '../testing/seeded-random';
import { Findings } from './detector';
import { hintsFor } from './text-hints';

const detectors = [...new Set([...DETECTORS.log, ...DETECTORS.prompt])];

/** Detectors the hints rule out for `text` that still find something there (should be none). */
function skippedButFinding(text: string): string[] {
  const hints = hintsFor(text);
  return detectors.flatMap((detector, index) => {
    if (detector.applies(hints)) return [];
    const findings: Findings = { entities: [], lookAlikes: [] };
    detector.detect(text, findings);
    return findings.entities.length + findings.lookAlikes.length === 0 ? [] : [`detector ${index}: ${JSON.stringify(findings)}`];
  });
}

// Digits, every separator the patterns know, the letters of the token literals and credential
// keys, and a character outside ASCII.
const ALPHABET = [...'0123456789 .-/()+:=@_"\'\tAEJBKSIRyzeakrtdnpw', 'é', '\n'];
const denseText = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 60 }).map((chars) => chars.join(''));
const seed = fc.integer({ min: 0, max: 0x7fffffff });

describe(hintsFor.name, () => {
  it('should never rule a detector out of a text holding a planted value of any type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ENTITY_TYPES), seed, denseText, denseText, (type, plantSeed, before, after) => {
        const plant = PLANTERS[type](seededRandom(plantSeed));
        return skippedButFinding(`${before} ${plant.text} ${after}`).length === 0 && skippedButFinding(plant.text).length === 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('should never rule a detector out of a text holding a Luhn or mod-97 look-alike', () => {
    fc.assert(
      fc.property(seed, (lookAlikeSeed) => {
        const random = seededRandom(lookAlikeSeed);
        return skippedButFinding(luhnInvalidCard(random)).length === 0 && skippedButFinding(mod97InvalidIban(random)).length === 0;
      }),
      { numRuns: 500 },
    );
  });

  it('should never rule a detector out of random text of the characters detectors look at', () => {
    fc.assert(fc.property(denseText, (text) => skippedButFinding(text).length === 0), { numRuns: 5000 });
  });

  it.each(Object.keys(ADVERSARIAL_SHAPES))('should never rule a detector out of %s that it finds something in', (shape) => {
    expect(skippedButFinding(ADVERSARIAL_SHAPES[shape](2048))).toEqual([]);
  });

  it.each([
    ['a hyphen-only key after "earer"', 'nearer sk-----------------------'],
    ['a JWT header', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'],
    ['an AWS key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a Bearer token in capitals', 'AUTHORIZATION BEARER abc123def456'],
    ['a PEM key', '-----BEGIN PRIVATE KEY-----\nMIIE'],
    ['a quoted credential key', '{"api_key" : "s3cr3t-value"}'],
    ['a phone number after a slash', 'call 030 / 1234 5678'],
    ['an international number in one group', 'call +4420794600958'],
    ['an IPv6 address with an IPv4 tail', 'from ::ffff:192.0.2.1'],
    ['a www URL in capitals', 'see WWW.EXAMPLE.COM/a'],
  ])('should let the detectors look at %s', (_label, text) => {
    expect(skippedButFinding(text)).toEqual([]);
    const findings: Findings = { entities: [], lookAlikes: [] };
    for (const detector of detectors) if (detector.applies(hintsFor(text))) detector.detect(text, findings);
    expect(findings.entities.length).toBeGreaterThan(0);
  });

  it('should rule out every digit detector for prose with a date, a time and a price', () => {
    const hints = hintsFor('see you 2024-01-15 at 12:30:45, tickets $1,234.56 v2');
    expect(hints.mostDigitsInSpacedGroups).toBeLessThan(13);
    expect(hints.mightHoldSsn).toBe(false);
    expect(hints.mightHoldIban).toBe(false);
    expect(hints.mightHoldIpv6).toBe(false);
    expect(hints.digitDotDigitCount).toBeLessThan(3);
  });
});
