// One global validation pipe: unknown fields are refused, types are converted, and the 400 names
// every field at fault (nested ones with their path, e.g. `tweets.0.score`).
import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException } from './domain.exception';

export class RequestValidationException extends DomainException {
  constructor(readonly problems: string[]) {
    super('VALIDATION_FAILED', problems.join('; '), 400);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
