import { DomainException } from '../../core/errors/domain.exception';

/** No person with this id has ever used the API: nothing to start a flow for. */
export class OperatorUserNotFoundException extends DomainException {
  constructor() {
    super('USER_NOT_FOUND', 'No user has this id', 404);
  }
}
