// What an entity is replaced with. Logs get the bare type; prompts get numbered placeholders
// that keep "the same person again" visible to the model without saying who.
import { DetectedEntity, ENTITY_TYPES, EntityType } from './entity-type';

export interface Replacer {
  replacementFor(type: EntityType, value: string): string;
}

/** `[EMAIL]`, `[PHONE]`, ...: made once. */
export const TYPE_NAME_PLACEHOLDERS = Object.fromEntries(ENTITY_TYPES.map((type) => [type, `[${type}]`])) as Readonly<Record<EntityType, string>>;

export const typeNameReplacer: Replacer = {
  replacementFor: (type) => TYPE_NAME_PLACEHOLDERS[type],
};

const PLACEHOLDER_LABEL: Record<EntityType, string> = {
  EMAIL: 'EMAIL',
  PHONE: 'PHONE',
  IP_ADDRESS: 'IP_ADDRESS',
  CREDIT_CARD: 'CREDIT_CARD',
  IBAN: 'IBAN',
  US_SSN: 'US_SSN',
  URL: 'URL',
  SECRET: 'SECRET',
  MENTION: 'USER',
};

/** Whether toLowerCase could change the value: an ASCII capital, or anything beyond ASCII. */
function mayHaveCapitals(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code >= 65 && code <= 90) || code >= 128) return true;
  }
  return false;
}

/**
 * Handles and email addresses are case-insensitive, so @Alice and @alice are one person. Most are
 * written in lower case already, which a scan tells more cheaply than toLowerCase.
 */
function normalized(type: EntityType, value: string): string {
  return (type === 'MENTION' || type === 'EMAIL') && mayHaveCapitals(value) ? value.toLowerCase() : value;
}

function identityOf(type: EntityType, normalizedValue: string): string {
  return `${type}\u0000${normalizedValue}`;
}

/** `[EMAIL_1]`, `[USER_2]`: made once per label and number (most texts use the first few). */
const CACHED_NUMBERS = 16;
const placeholderCache = new Map<EntityType, string[]>();

function placeholderFor(type: EntityType, number: number): string {
  if (number > CACHED_NUMBERS) return `[${PLACEHOLDER_LABEL[type]}_${number}]`;
  let cached = placeholderCache.get(type);
  if (cached === undefined) {
    cached = Array.from({ length: CACHED_NUMBERS + 1 }, (_, n) => `[${PLACEHOLDER_LABEL[type]}_${n}]`);
    placeholderCache.set(type, cached);
  }
  return cached[number];
}

/** Numbered placeholders, the same one for the same value for as long as the registry lives. */
export class PlaceholderRegistry implements Replacer {
  // Most texts hold one entity (a registry per prompt text is made for every text with an
  // entity): the first value is kept aside as it is, and the map and the counts per type are made
  // only for a second value.
  private firstType: EntityType | undefined;
  private firstValue = '';
  private placeholders: Map<string, string> | undefined;
  private countsByType: Record<EntityType, number> | undefined;

  replacementFor(type: EntityType, value: string): string {
    const normalizedValue = normalized(type, value);
    if (this.firstType === undefined) {
      this.firstType = type;
      this.firstValue = normalizedValue;
      return placeholderFor(type, 1);
    }
    if (type === this.firstType && normalizedValue === this.firstValue) return placeholderFor(type, 1);
    if (this.placeholders === undefined || this.countsByType === undefined) {
      this.placeholders = new Map([[identityOf(this.firstType, this.firstValue), placeholderFor(this.firstType, 1)]]);
      this.countsByType = { EMAIL: 0, PHONE: 0, IP_ADDRESS: 0, CREDIT_CARD: 0, IBAN: 0, US_SSN: 0, URL: 0, SECRET: 0, MENTION: 0 };
      this.countsByType[this.firstType] = 1;
    }
    const identity = identityOf(type, normalizedValue);
    const known = this.placeholders.get(identity);
    if (known !== undefined) return known;
    // Each label belongs to one type, so counting per type numbers each label.
    const placeholder = placeholderFor(type, ++this.countsByType[type]);
    this.placeholders.set(identity, placeholder);
    return placeholder;
  }
}

/** Up to this many entities a text's earlier values are compared one by one; beyond, a Map keeps it linear. */
const FEW_ENTITIES = 8;

/**
 * What a fresh PlaceholderRegistry would write for each entity of one text (redactText's prompt
 * profile), without a registry object per text: V8 keeps a class's hidden class only while an
 * instance lives, so when a full collection found no registry alive it dropped the optimised code
 * of the whole prompt path, which ran slowly again until re-optimised. Most texts hold one or two
 * entities: their values are compared in place of building identity strings and Maps.
 */
export function applyNumberedPlaceholders(text: string, entities: readonly DetectedEntity[]): string {
  if (entities.length > FEW_ENTITIES) return applyReplacements(text, entities, new PlaceholderRegistry());
  const values: string[] = [];
  const placeholders: string[] = [];
  let output = '';
  let copiedUpTo = 0;
  for (let i = 0; i < entities.length; i++) {
    const { type, start, end } = entities[i];
    const value = entities.length === 1 ? '' : normalized(type, text.slice(start, end));
    let placeholder = '';
    let sameType = 0;
    for (let j = 0; j < i && placeholder === ''; j++) {
      if (entities[j].type !== type) continue;
      if (values[j] === value) placeholder = placeholders[j];
      else if (placeholders.indexOf(placeholders[j]) === j) sameType++; // a value of this type not seen before j
    }
    if (placeholder === '') placeholder = placeholderFor(type, sameType + 1);
    values.push(value);
    placeholders.push(placeholder);
    output += text.slice(copiedUpTo, start) + placeholder;
    copiedUpTo = end;
  }
  return output + text.slice(copiedUpTo);
}

/** Each entity of `text` replaced by what `replacer` gives for it (entities in order, not overlapping). */
export function applyReplacements(text: string, entities: readonly DetectedEntity[], replacer: Replacer): string {
  if (entities.length === 0) return text;
  let output = '';
  let copiedUpTo = 0;
  for (const { type, start, end } of entities) {
    output += text.slice(copiedUpTo, start) + replacer.replacementFor(type, text.slice(start, end));
    copiedUpTo = end;
  }
  return output + text.slice(copiedUpTo);
}
