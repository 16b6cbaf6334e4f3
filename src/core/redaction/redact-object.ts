// Structured redaction for log records, audit details and error reports. Builds a redacted copy
// and never touches the input, which callers go on using.
import { DetectedEntity, EntityType, RedactionProfile } from './entity-type';
import { Replacer } from './placeholders';
import { redactTextWith, replacerFor } from './redact-text';
import { isSensitiveKey } from './sensitive-keys';

/** Objects nested deeper than this become '[Truncated]': log records stay bounded. */
export const MAX_REDACTION_DEPTH = 10;

export const SECRET_VALUE = '[SECRET]';
export const CIRCULAR_VALUE = '[Circular]';
export const TRUNCATED_VALUE = '[Truncated]';
export const BINARY_VALUE = '[Binary]';
export const FUNCTION_VALUE = '[Function]';

export type EntityListener = (type: EntityType) => void;

export interface ObjectRedactionOptions {
  /**
   * Strings longer than this are cut before they are redacted, and the cut is marked. Every
   * detector is linear, but a log record must also cost a bounded time whatever a caller sends
   * (a request path is logged for anonymous callers too).
   */
  maxStringLength?: number;
}

/** How far back a cut looks for a space, so a word at the cut is dropped, not half-kept. */
const CUT_WORD_LOOKBACK = 64;

/** The first `limit` characters (fewer, to end at a space nearby) and a marker of what was cut. */
export function cutLongText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit;
  for (let i = limit; i > 0 && i > limit - CUT_WORD_LOOKBACK; i--) {
    if (/\s/.test(text[i - 1])) {
      end = i;
      break;
    }
  }
  return `${text.slice(0, end)}…[${text.length - end} characters cut]`;
}

type PlainRecord = Record<string, unknown>;

/** Assigning '__proto__' would replace the copy's prototype instead of adding a key. */
function setOwn(target: PlainRecord, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isBinary(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer;
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

class ObjectRedactor {
  /** Objects on the path from the root: meeting one again is a cycle, not a shared reference. */
  private readonly ancestors = new Set<object>();

  constructor(
    private readonly profile: RedactionProfile,
    private readonly replacer: Replacer,
    private readonly onEntity: EntityListener,
    private readonly maxStringLength = Infinity,
  ) {}

  redact(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        return this.redactString(value);
      case 'function':
        return FUNCTION_VALUE;
      case 'object':
        return value === null ? null : this.redactObject(value, depth);
      case 'number':
      case 'boolean':
      case 'bigint':
      case 'symbol':
      case 'undefined':
        return value;
    }
  }

  private redactString(text: string): string {
    const limited = text.length > this.maxStringLength ? cutLongText(text, this.maxStringLength) : text;
    const result = redactTextWith(limited, this.profile, this.replacer);
    this.report(result.entities);
    return result.text;
  }

  private report(entities: readonly DetectedEntity[]): void {
    for (const entity of entities) this.onEntity(entity.type);
  }

  private redactObject(value: object, depth: number): unknown {
    if (value instanceof Date) return new Date(value.getTime());
    if (isBinary(value)) return BINARY_VALUE;
    if (this.ancestors.has(value)) return CIRCULAR_VALUE;
    if (depth >= MAX_REDACTION_DEPTH) return TRUNCATED_VALUE;
    this.ancestors.add(value);
    try {
      return this.redactChildren(value, depth + 1);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private redactChildren(value: object, depth: number): unknown {
    if (Array.isArray(value)) return value.map((item: unknown) => this.redact(item, depth));
    if (value instanceof Error) return this.redactError(value, depth);
    if (value instanceof Map) return this.redactEntries([...value.entries()].map(([key, item]) => [String(key), item]), depth);
    if (value instanceof Set) return [...value].map((item: unknown) => this.redact(item, depth));
    // What JSON.stringify would write is what reaches a log sink; an object's own fields may
    // differ from it (ORM entities, value objects).
    if (hasToJson(value)) {
      const json = value.toJSON();
      if (json !== value) return this.redact(json, depth);
    }
    return this.redactEntries(Object.entries(value), depth);
  }

  private redactError(error: Error, depth: number): PlainRecord {
    const copy: PlainRecord = {
      name: this.redactString(error.name),
      message: this.redactString(error.message),
      stack: error.stack === undefined ? undefined : this.redactString(error.stack),
    };
    if (error.cause !== undefined) copy.cause = this.redact(error.cause, depth);
    // Own fields such as `code` or `statusCode` help whoever reads the log.
    const extra = this.redactEntries(Object.entries(error), depth);
    for (const key of Object.keys(extra)) if (!(key in copy)) setOwn(copy, key, extra[key]);
    return copy;
  }

  private redactEntries(entries: [string, unknown][], depth: number): PlainRecord {
    const copy: PlainRecord = {};
    for (const [key, item] of entries) {
      if (isSensitiveKey(key)) {
        this.onEntity('SECRET');
        setOwn(copy, key, SECRET_VALUE);
      } else {
        // A key can be personal data too, as in a map from email address to anything.
        setOwn(copy, this.redactString(key), this.redact(item, depth));
      }
    }
    return copy;
  }
}

/** Redacts with an explicit replacer and reports every entity, for callers that count them. */
export function redactObjectWith(
  value: unknown,
  profile: RedactionProfile,
  replacer: Replacer,
  onEntity: EntityListener = () => undefined,
  options: ObjectRedactionOptions = {},
): unknown {
  return new ObjectRedactor(profile, replacer, onEntity, options.maxStringLength).redact(value, 0);
}

/**
 * A redacted deep copy: strings through `redactText`, credential-named keys to '[SECRET]',
 * errors to `{ name, message, stack, cause }`, binary data to '[Binary]', cycles to '[Circular]'
 * and objects nested deeper than MAX_REDACTION_DEPTH to '[Truncated]'. Numbers, booleans, null
 * and dates are kept. In the `prompt` profile, placeholders are shared across the whole value.
 */
export function redactObject(value: unknown, profile: RedactionProfile = 'log', options: ObjectRedactionOptions = {}): unknown {
  return redactObjectWith(value, profile, replacerFor(profile), undefined, options);
}
