// One global validation pipe: unknown fields are refused, types are converted, and the 400 names
// every field at fault (nested ones with their path, e.g. `tweets.0.score`).
import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException } from './domain.exception';

export class RequestValidationException extends DomainException {
  constructor(readonly problems: string[]) {
    super('VALIDATION_FAILED', problems.join('; '), 400);
  }
}

/**
 * PostgreSQL text cannot hold U+0000, so a NUL anywhere in a request would become a 500 at the
 * first insert; refuse it up front with the field's path instead.
 *
 * A list route called without a query string (most calls of GET /api/runs and the like) gets `{}`
 * as its query, and validating `{}` against a DTO class always gives the same answer: the first
 * one is kept per class and each later request gets its own copy (class-transformer and
 * class-validator cost about a tenth of such a request's CPU). Only an answer that passed, and
 * only one whose fields are all primitives (nothing a handler could change for the next
 * request), is kept; anything else is validated every time.
 */
class RequestValidationPipe extends ValidationPipe {
  private readonly emptyQueryResults = new WeakMap<object, object>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' && metadata.metatype && isEmptyObject(value)) {
      const known = this.emptyQueryResults.get(metadata.metatype);
      if (known) return copyOf(known);
      const result = await this.validateAndTransform(value, metadata);
      if (isReusable(result, metadata.metatype)) this.emptyQueryResults.set(metadata.metatype, copyOf(result));
      return result;
    }
    return this.validateAndTransform(value, metadata);
  }

  private async validateAndTransform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const paths = findNulCharacters(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
      if (paths.length > 0) throw new RequestValidationException(paths.map((path) => `${path || metadata.type} must not contain NUL characters`));
    }
    return super.transform(value, metadata);
  }
}

function isEmptyObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** An instance of the DTO class whose own fields are all primitives (or absent). */
function isReusable(result: unknown, metatype: object): result is object {
  if (result === null || typeof result !== 'object' || Object.getPrototypeOf(result) !== (metatype as { prototype?: unknown }).prototype) return false;
  return Object.values(result).every((field) => field === null || (typeof field !== 'object' && typeof field !== 'function'));
}

function copyOf<T extends object>(instance: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(instance) as object | null) as T, instance);
}

function findNulCharacters(value: unknown, path: string, depth = 0): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path] : [];
  if (depth > 32 || value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    findNulCharacters(child, path ? `${path}.${key}` : key, depth + 1),
  );
}

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Never echo submitted values back: they may be personal data or secrets.
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => new RequestValidationException(flattenValidationErrors(errors)),
  });
}

export function flattenValidationErrors(errors: ValidationError[], parentPath = ''): string[] {
  return errors.flatMap((error) => {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      // class-validator's messages start with the property name; make that the full path.
      message.startsWith(`property ${error.property} `)
        ? `property ${path} ${message.slice(`property ${error.property} `.length)}`
        : message.startsWith(error.property)
          ? path + message.slice(error.property.length)
          : `${path}: ${message}`,
    );
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

export { BadRequestException };
