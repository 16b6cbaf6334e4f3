import { Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationException } from '../../core/errors/validation';

/** A person's id in a path: the token subject, 1 to 255 characters (NUL is refused by the global pipe). */
export const MAX_USER_ID_LENGTH = 255;

@Injectable()
export class UserIdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || value.trim().length === 0) throw new RequestValidationException(['userId must not be empty']);
    if (value.length > MAX_USER_ID_LENGTH) throw new RequestValidationException([`userId must be at most ${MAX_USER_ID_LENGTH} characters`]);
    return value;
  }
}
