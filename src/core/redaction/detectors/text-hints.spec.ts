// The hints only save work: a detector the hints rule out of a text must find nothing there, and
// one they let in must find the same as when it searches the whole text without them, or the
// hints would hide personal data. Checked on planted values of every type, adversarial shapes,
// and random text from an alphabet of the characters the detectors and the hints look at.
import fc from 'fast-check';
import { DETECTORS } from '../detect-entities';
import { ENTITY_TYPES } from '../entity-type';
import { ADVERSARIAL_SHAPES } from '../testing/adversarial-shapes';
import { luhnInvalidCard, mod97InvalidIban, PLANTERS } from '../testing/planted-pii';
import { seededRandom } from '../testing/seeded-random';
import { Detector, Findings } from './detector';
import { creditCardDetector } from './credit-card.detector';
import { phoneDetector } from './phone.detector';
import { hintsFor, NO_HINTS } from './text-hints';

const detectors = [...new Set([...DETECTORS.log, ...DETECTORS.prompt])];

function findingsOf(detector: Detector, text: string, hints = hintsFor(text)): Findings {
  const findings: Findings = { entities: [], lookAlikes: [] };
  if (detector.applies(hints)) detector.detect(text, findings, hints);
  return findings;
}

/** Detectors that find something else with the text's hints than without any (should be none). */
function skippedButFinding(text: string): string[] {
  return detectors.flatMap((detector, index) => {
    const withHints = JSON.stringify(findingsOf(detector, text));
    const withoutHints = JSON.stringify(findingsOf(detector, text, NO_HINTS));
    return withHints === withoutHints ? [] : [`detector ${index}: ${withoutHints} without hints, ${withHints} with`];
  });
}

// Digits, every separator the patterns know, the letters of the token literals and credential
// keys, and a character outside ASCII.
const ALPHABET = [...'0123456789 .-/()+:=@_"\'\tAEJBKSIRyzeakrtdnpw', 'é', '\n'];
const denseText = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 60 }).map((chars) => chars.join(''));
const seed = fc.integer({ min: 0, max: 0x7fffffff });

describe(hintsFor.name, () => {
  it('should not change what a detector finds around a planted value of any type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ENTITY_TYPES), seed, denseText, denseText, (type, plantSeed, before, after) => {
        const plant = PLANTERS[type](seededRandom(plantSeed));
        return skippedButFinding(`${before} ${plant.text} ${after}`).length === 0 && skippedButFinding(plant.text).length === 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('should not change what a detector finds in a Luhn or mod-97 look-alike', () => {
    fc.assert(
      fc.property(seed, (lookAlikeSeed) => {
        const random = seededRandom(lookAlikeSeed);
        return skippedButFinding(luhnInvalidCard(random)).length === 0 && skippedButFinding(mod97InvalidIban(random)).length === 0;
      }),
      { numRuns: 500 },
    );
  });

  it('should not change what a detector finds in random text of the characters detectors look at', () => {
    fc.assert(fc.property(denseText, (text) => skippedButFinding(text).length === 0), { numRuns: 5000 });
  });

  it.each(Object.keys(ADVERSARIAL_SHAPES))('should not change what a detector finds in %s', (shape) => {
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
    ['numbers after a date and other digit groups', 'on 2024-01-15 ref 12 34 56 card 4111 1111 1111 1111 call 020 7946 0958 ssn 123-45-6789'],
    ['an IBAN after capitals and digits', 'AB12 XY DE89370400440532013000'],
  ])('should still find %s', (_label, text) => {
    expect(skippedButFinding(text)).toEqual([]);
    expect(detectors.some((detector) => findingsOf(detector, text).entities.length > 0)).toBe(true);
  });

  it('should rule out every digit detector for prose with a time, a price and a version', () => {
    const hints = hintsFor('see you at 12:30:45 where tickets cost $1,234.56 in version 2.1');
    expect(hints.phoneSearchStart).toBe(-1);
    expect(hints.cardSearchStart).toBe(-1);
    expect(hints.ssnSearchStart).toBe(-1);
    expect(hints.ibanSearchStart).toBe(-1);
    expect(hints.mightHoldIpv6).toBe(false);
    expect(hints.digitDotDigitCount).toBeLessThan(3);
  });

  // The phone pre-check looks for a group that can start one of the phone shapes: each shape must
  // get through it, whatever comes before it.
  it.each([
    ['international, grouped', '+44 20 7946 0958'],
    ['international, one group', '+442079460958'],
    ['international in parentheses', '(+44) 20 7946 0958'],
    ['international with a trunk marker', '+44 (0)20 7946 0958'],
    ['North American', '202-555-0143'],
    ['North American with an area code in parentheses', '(202) 555-0143'],
    ['North American with a 1 before', '1 (800) 555-0199'],
    ['North American with a 1 and dots', '1.800.555.0199'],
    ['trunk 0 with a slash', '030/12345678'],
    ['trunk 0 with a spaced slash', '030 / 1234567'],
    ['trunk 0 in parentheses, no space', '(020)79460958'],
    ['trunk 0 with a five-digit area code', '07700 900123'],
    ['the 00 international prefix', '0044 20 7946 0958'],
    ['French pairs', '01 23 45 67 89'],
    ['Italian mobile 3-3-4', '333 123 4567'],
    ['Italian mobile 3-7', '333 1234567'],
    ['Italian mobile 3-6', '333-123456'],
    ['Spanish 3-3-3', '612.345.678'],
    ['Spanish 3-2-2-2', '912 34 56 78'],
    ['Polish 2-3-2-2', '12 345 67 89'],
  ])('should not rule out a phone number, %s', (_label, phone) => {
    for (const text of [phone, `call ${phone} today`, `ref 12 on 2024-01-15 call ${phone}`, `tel:(${phone})`]) {
      expect(hintsFor(text).phoneSearchStart).not.toBe(-1);
      expect(findingsOf(phoneDetector, text).entities.map(({ start, end }) => text.slice(start, end))).toEqual([phone]);
    }
  });

  it.each([
    ['an SSN', 'ssn 123-45-6789 ok'],
    ['dates', 'on 2024-01-15 and 15/01/2024 and 15.01.2024'],
    ['an IPv4 address', 'from 192.168.1.1 today'],
    ['a card printed in fours', 'card 4111 1111 1111 1111'],
    ['a compact card', 'card 4111111111111111'],
    ['a price and a version', 'costs $1,234.56 in v10.4.12'],
    ['digits after letters and hyphens', 'xoxb-12345678901-123456789012 DE89370400440532013000'],
  ])('should rule out the phone detector for %s', (_label, text) => {
    expect(hintsFor(text).phoneSearchStart).toBe(-1);
    expect(findingsOf(phoneDetector, text, NO_HINTS).entities).toEqual([]);
  });

  // The card pre-check looks for a group that can start the card pattern (2-6 first, after no word
  // character or . , + / -) with 13 digits or more from there on.
  it.each([
    ['a compact card', '4111111111111111'],
    ['a card in fours', '4111 1111 1111 1111'],
    ['a card with hyphens', '5500-0000-0000-0004'],
    ['an Amex card', '3782 822463 10005'],
    ['a 13-digit Visa', '4222222222222'],
    ['a 19-digit UnionPay card', '6212345678901234569'],
  ])('should not rule out %s, also after another number', (_label, card) => {
    for (const text of [card, `card ${card} ok`, `ref 2024 ${card}`, `(${card})`]) {
      expect(hintsFor(text).cardSearchStart).not.toBe(-1);
      expect(findingsOf(creditCardDetector, text).entities.map(({ start, end }) => text.slice(start, end))).toEqual([card]);
    }
  });

  it.each([
    ['the digits of a compact IBAN', 'iban DE89370400440532013000'],
    ['the digits of a token after a hyphen', 'xoxb-12345678901-123456789012'],
    ['a phone number', 'call +44 20 7946 0958'],
    ['a number starting with 1 or 7', '1234567890123456 and 7234 5678 9012 3456'],
    ['digits after a dot or a slash', 'v.4111111111111111 /4111111111111111'],
  ])('should rule out the card detector for %s', (_label, text) => {
    expect(hintsFor(text).cardSearchStart).toBe(-1);
    expect(findingsOf(creditCardDetector, text, NO_HINTS)).toEqual({ entities: [], lookAlikes: [] });
  });
});
