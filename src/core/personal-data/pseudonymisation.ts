// How erasure rewrites the columns a declaration pseudonymises (`PseudonymisationRule`). Pure
// functions: the erasure hands them the person's id and keyed hash (Pseudonyms.of).
import type { PseudonymisationRule } from './personal-data.types';

/**
 * Keys whose values identify a person in a JSON document (Stripe objects: `name`, `email`,
 * `phone`, `address`, `shipping`, `billing_details`, `customer_email`, ...), matched as words of
 * the key in snake_case or camelCase. Broad on purpose: removing a harmless `product_name` costs
 * nothing, keeping a `cardholder_name` would.
 */
const IDENTIFYING_KEY = /(^|_)(name|email|phone|address|shipping|billing_details|line1|line2|postal_code|city|tax_ids?|ip)($|_)/;
/** Deeper than any Stripe object; beyond it a branch is dropped rather than walked. */
const MAX_DEPTH = 32;

function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The document without identifying fields, the user id replaced by `pseudonym` wherever a string holds it. */
export function scrubIdentifyingFields(value: unknown, userId: string, pseudonym: string, depth = 0): unknown {
  if (typeof value === 'string') return userId === '' ? value : value.split(userId).join(pseudonym);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((item) => scrubIdentifyingFields(item, userId, pseudonym, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (IDENTIFYING_KEY.test(snakeCase(key))) continue;
    out[key] = scrubIdentifyingFields(field, userId, pseudonym, depth + 1);
  }
  return out;
}

/** The new value of a pseudonymised column. */
export function pseudonymiseColumn(rule: PseudonymisationRule, value: unknown, userId: string, pseudonym: string): unknown {
  switch (rule) {
    case 'keyed-hash':
      return value === null ? null : pseudonym;
    case 'scrub-identifying-fields':
      return scrubIdentifyingFields(value, userId, pseudonym);
  }
}
