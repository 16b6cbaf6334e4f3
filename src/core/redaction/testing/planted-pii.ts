// Realistic values of every entity type, for the benchmark corpus and the property tests. Each
// plant says what goes into the text and which part of it must not survive redaction (for
// `password=hunter2` only `hunter2` is the secret).
import { EntityType } from '../entity-type';
import { passesLuhn } from '../detectors/credit-card.detector';
import { ALPHANUMERIC, DIGITS, LOWER, pick, Random, randomChars, randomInt, UPPER } from './seeded-random';

export interface Plant {
  type: EntityType;
  /** What is written into the text. */
  text: string;
  /** What must not appear in the redacted output. */
  value: string;
}

const whole = (type: EntityType, text: string): Plant => ({ type, text, value: text });

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar'];
const DOMAINS = ['example', 'mail', 'acme-corp', 'university', 'startup', 'newsdesk', 'tele'];
const TLDS = ['com', 'org', 'net', 'io', 'co.uk', 'de', 'fr'];

function digits(random: Random, length: number): string {
  return randomChars(random, DIGITS, length);
}

function areaCode(random: Random): string {
  return String(randomInt(random, 2, 9)) + digits(random, 2);
}

export function plantEmail(random: Random): Plant {
  const local = `${pick(random, NAMES)}${pick(random, ['.', '_', '', '+news.'])}${pick(random, NAMES)}${random() < 0.5 ? digits(random, 2) : ''}`;
  return whole('EMAIL', `${local}@${pick(random, DOMAINS)}.${pick(random, TLDS)}`);
}

const PHONE_FORMATS: ReadonlyArray<(random: Random) => string> = [
  (r) => `+44 20 ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `+44 7${digits(r, 3)} ${digits(r, 6)}`,
  (r) => `+44 (0)20 ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `+1-${areaCode(r)}-${randomInt(r, 2, 9)}${digits(r, 2)}-${digits(r, 4)}`,
  (r) => `+1 (${areaCode(r)}) ${randomInt(r, 2, 9)}${digits(r, 2)}-${digits(r, 4)}`,
  (r) => `+33 1 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  (r) => `+49 30 ${digits(r, 7)}`,
  (r) => `+4420${digits(r, 8)}`,
  (r) => `(${areaCode(r)}) ${randomInt(r, 2, 9)}${digits(r, 2)}-${digits(r, 4)}`,
  (r) => `${areaCode(r)}.${randomInt(r, 2, 9)}${digits(r, 2)}.${digits(r, 4)}`,
  (r) => `${areaCode(r)}-${randomInt(r, 2, 9)}${digits(r, 2)}-${digits(r, 4)}`,
  (r) => `020 ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `07${digits(r, 3)} ${digits(r, 6)}`,
  (r) => `01 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
];

export function plantPhone(random: Random): Plant {
  return whole('PHONE', pick(random, PHONE_FORMATS)(random));
}

const hexGroup = (random: Random): string => randomInt(random, 1, 0xffff).toString(16);

function ipv4(random: Random): string {
  return [randomInt(random, 1, 254), randomInt(random, 0, 255), randomInt(random, 0, 255), randomInt(random, 1, 254)].join('.');
}

const IP_FORMATS: ReadonlyArray<(random: Random) => string> = [
  ipv4,
  ipv4,
  (r) => Array.from({ length: 8 }, () => hexGroup(r)).join(':'),
  (r) => `2001:db8::${hexGroup(r)}:${hexGroup(r)}`,
  (r) => `fe80::${hexGroup(r)}:${hexGroup(r)}:${hexGroup(r)}:${hexGroup(r)}`,
  (r) => `::ffff:${ipv4(r)}`,
];

export function plantIpAddress(random: Random): Plant {
  return whole('IP_ADDRESS', pick(random, IP_FORMATS)(random));
}

const CARD_PREFIXES: ReadonlyArray<{ prefix: string; length: number }> = [
  { prefix: '4', length: 16 },
  { prefix: '4', length: 13 },
  { prefix: '51', length: 16 },
  { prefix: '55', length: 16 },
  { prefix: '2221', length: 16 },
  { prefix: '34', length: 15 },
  { prefix: '37', length: 15 },
  { prefix: '6011', length: 16 },
  { prefix: '3530', length: 16 },
  { prefix: '62', length: 19 },
];

/** Digits of a card number whose Luhn checksum holds. */
export function validCardDigits(random: Random): string {
  const { prefix, length } = pick(random, CARD_PREFIXES);
  const body = prefix + digits(random, length - prefix.length - 1);
  for (let check = 0; check <= 9; check++) if (passesLuhn(body + check)) return body + check;
  throw new Error('unreachable: one check digit always fits');
}

export function formatCard(random: Random, cardDigits: string): string {
  const layout = random();
  if (layout < 0.3) return cardDigits;
  if (cardDigits.length === 15) return `${cardDigits.slice(0, 4)} ${cardDigits.slice(4, 10)} ${cardDigits.slice(10)}`;
  const separator = layout < 0.65 ? ' ' : '-';
  return cardDigits.match(/.{1,4}/g)?.join(separator) ?? cardDigits;
}

export function plantCreditCard(random: Random): Plant {
  return whole('CREDIT_CARD', formatCard(random, validCardDigits(random)));
}

/** Whether some run of whole digit groups, 13 to 19 digits long, passes Luhn. */
function holdsLuhnValidRun(formatted: string): boolean {
  const groups = formatted.split(/[ -]/);
  for (let first = 0; first < groups.length; first++) {
    let digitsSoFar = '';
    for (let last = first; last < groups.length; last++) {
      digitsSoFar += groups[last];
      if (digitsSoFar.length >= 13 && digitsSoFar.length <= 19 && passesLuhn(digitsSoFar)) return true;
    }
  }
  return false;
}

/**
 * A card-shaped number that is no card: its Luhn checksum fails, and so does every run of its
 * groups that could be a card by itself (4111 1111 1111 1111 followed by a CVV is a card).
 */
export function luhnInvalidCard(random: Random): string {
  for (;;) {
    const valid = validCardDigits(random);
    const last = Number(valid[valid.length - 1]);
    const formatted = formatCard(random, valid.slice(0, -1) + String((last + 1 + randomInt(random, 0, 8)) % 10));
    if (!holdsLuhnValidRun(formatted)) return formatted;
  }
}

const IBAN_FORMATS: ReadonlyArray<(random: Random) => string> = [
  (r) => `GB..${randomChars(r, UPPER, 4)}${digits(r, 14)}`,
  (r) => `DE..${digits(r, 18)}`,
  (r) => `FR..${digits(r, 23)}`,
  (r) => `NL..${randomChars(r, UPPER, 4)}${digits(r, 10)}`,
  (r) => `ES..${digits(r, 20)}`,
  (r) => `BE..${digits(r, 12)}`,
  (r) => `CH..${digits(r, 17)}`,
  (r) => `IT..${randomChars(r, UPPER, 1)}${digits(r, 22)}`,
];

function ibanRemainder(countryCode: string, checkDigits: string, bban: string): number {
  let remainder = 0;
  for (const char of bban + countryCode + checkDigits) {
    const value = parseInt(char, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder;
}

/** Compact IBAN with valid check digits. */
export function validIbanCompact(random: Random): string {
  const template = pick(random, IBAN_FORMATS)(random);
  const country = template.slice(0, 2);
  const bban = template.slice(4);
  const check = 98 - ibanRemainder(country, '00', bban);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

export function formatIban(random: Random, compact: string): string {
  return random() < 0.5 ? compact : (compact.match(/.{1,4}/g)?.join(' ') ?? compact);
}

export function plantIban(random: Random): Plant {
  return whole('IBAN', formatIban(random, validIbanCompact(random)));
}

/** An IBAN-shaped string whose mod-97 check fails. */
export function mod97InvalidIban(random: Random): string {
  const valid = validIbanCompact(random);
  const check = Number(valid.slice(2, 4));
  const wrong = 2 + ((check - 2 + randomInt(random, 1, 95)) % 97);
  return formatIban(random, `${valid.slice(0, 2)}${String(wrong).padStart(2, '0')}${valid.slice(4)}`);
}

export function plantUsSsn(random: Random): Plant {
  let area = randomInt(random, 1, 899);
  if (area === 666) area = 665;
  const separator = random() < 0.7 ? '-' : ' ';
  const ssn = [String(area).padStart(3, '0'), String(randomInt(random, 1, 99)).padStart(2, '0'), String(randomInt(random, 1, 9999)).padStart(4, '0')];
  return whole('US_SSN', ssn.join(separator));
}

/** SSN-shaped numbers the SSA never issues. */
export function invalidSsn(random: Random): string {
  const area = pick(random, ['000', '666', String(randomInt(random, 900, 999))]);
  return `${area}-${String(randomInt(random, 1, 99)).padStart(2, '0')}-${String(randomInt(random, 1, 9999)).padStart(4, '0')}`;
}

export function plantUrl(random: Random): Plant {
  const host = `${pick(random, DOMAINS)}.${pick(random, TLDS)}`;
  const path = `${pick(random, NAMES)}/${randomChars(random, LOWER + DIGITS, randomInt(random, 3, 12))}`;
  const url = pick(random, [`https://${host}/${path}`, `http://${host}/${path}?ref=${digits(random, 4)}`, `www.${host}/${path}`]);
  return whole('URL', url);
}

function base64Url(json: object): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** A token of letters and digits that holds at least one digit. */
function token(random: Random, length: number): string {
  return randomChars(random, ALPHANUMERIC, length - 1) + randomChars(random, DIGITS, 1);
}

const SECRET_FORMATS: ReadonlyArray<(random: Random) => Plant> = [
  (r) => {
    const header = base64Url({ alg: 'HS256', typ: 'JWT' });
    const payload = base64Url({ sub: digits(r, 8), iat: 1700000000 + randomInt(r, 0, 1e6) });
    return whole('SECRET', `${header}.${payload}.${randomChars(r, ALPHANUMERIC + '-_', 43)}`);
  },
  (r) => whole('SECRET', `sk-${token(r, 48)}`),
  (r) => whole('SECRET', `sk-ant-api03-${token(r, 40)}`),
  (r) => whole('SECRET', `sk_live_${token(r, 24)}`),
  (r) => whole('SECRET', `ghp_${token(r, 36)}`),
  (r) => whole('SECRET', `xoxb-${digits(r, 11)}-${digits(r, 12)}-${token(r, 24)}`),
  (r) => whole('SECRET', `AKIA${randomChars(r, UPPER + DIGITS, 16)}`),
  (r) => secretValue(`Authorization: Bearer `, token(r, 32)),
  (r) => secretValue('password=', token(r, randomInt(r, 8, 16))),
  (r) => secretValue('"password": "', token(r, 12), '"'),
  (r) => secretValue('access_token=', token(r, 40)),
  (r) => secretValue('refresh_token=', token(r, 40)),
  (r) => secretValue('api_key=', token(r, 32)),
  (r) => secretValue('secret: ', token(r, 20)),
];

function secretValue(before: string, value: string, after = ''): Plant {
  return { type: 'SECRET', text: before + value + after, value };
}

export function plantSecret(random: Random): Plant {
  return pick(random, SECRET_FORMATS)(random);
}

export function plantMention(random: Random): Plant {
  const handle = `${pick(random, NAMES)}${random() < 0.5 ? '_' : ''}${digits(random, randomInt(random, 0, 4))}`;
  return whole('MENTION', `@${handle.slice(0, 15)}`);
}

export const PLANTERS: Readonly<Record<EntityType, (random: Random) => Plant>> = {
  EMAIL: plantEmail,
  PHONE: plantPhone,
  IP_ADDRESS: plantIpAddress,
  CREDIT_CARD: plantCreditCard,
  IBAN: plantIban,
  US_SSN: plantUsSsn,
  URL: plantUrl,
  SECRET: plantSecret,
  MENTION: plantMention,
};
