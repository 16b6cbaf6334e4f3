import { DomainException } from '../errors/domain.exception';

export class ScheduledJobNotFoundException extends DomainException {
  constructor() {
    super('SCHEDULED_JOB_NOT_FOUND', 'No scheduled job has that name', 404);
  }
}
