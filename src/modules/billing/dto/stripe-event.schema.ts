// What a Stripe webhook delivery must be once its signature checks out: the OpenAPI schema of the
// request body and the check that enforces it (the body is read raw for the signature, so no DTO
// and validation pipe see it).
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type Stripe from 'stripe';

/** billing_events.id and .type are text; longer than this is not something Stripe sends. */
const MAX_EVENT_TEXT_LENGTH = 255;

export const STRIPE_EVENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'type', 'created', 'data'],
  // Stripe adds fields to events over API versions; only these are read.
  additionalProperties: true,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: MAX_EVENT_TEXT_LENGTH, example: 'evt_1' },
    type: { type: 'string', minLength: 1, maxLength: MAX_EVENT_TEXT_LENGTH, example: 'customer.subscription.updated' },
    created: { type: 'integer', minimum: 0, example: 1767225600 },
    data: {
      type: 'object',
      required: ['object'],
      additionalProperties: true,
      properties: { object: { type: 'object', additionalProperties: true } },
    },
  },
};

/**
 * Whether a verified body has the shape of STRIPE_EVENT_SCHEMA, and no NUL character anywhere
 * (PostgreSQL text cannot hold one, so it would fail the insert with a 500).
 */
export function isStripeEvent(value: unknown): value is Stripe.Event {
  if (!isObject(value) || !isObject(value.data) || !isObject(value.data.object)) return false;
  const text = (field: unknown) => typeof field === 'string' && field.length > 0 && field.length <= MAX_EVENT_TEXT_LENGTH;
  return text(value.id) && text(value.type) && Number.isInteger(value.created) && (value.created as number) >= 0 && !containsNul(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, child]) => key.includes('\u0000') || containsNul(child, depth + 1));
}
