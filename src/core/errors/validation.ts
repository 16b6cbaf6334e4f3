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
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const paths = findNulCharacters(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
      if (paths.length > 0) throw new RequestValidationException(paths.map((path) => `${path || metadata.type} must not contain NUL characters`));
    }
    return super.transform(value, metadata);
  }
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
