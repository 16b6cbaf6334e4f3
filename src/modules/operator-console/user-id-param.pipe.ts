import { Injectable, PipeTransform } from '@nestjs/common';
import { USER_ID_PATTERN } from '../../core/auth/authenticated-user';
import { OperatorUserNotFoundException } from './operator-console.exception';

/**
 * A person's id in a path. Ids are token subjects, which the auth layer holds to USER_ID_PATTERN,
 * so anything else names nobody: 404 like an unknown id (bad ids are 404 everywhere).
 */
@Injectable()
export class UserIdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !USER_ID_PATTERN.test(value)) throw new OperatorUserNotFoundException();
    return value;
  }
}
