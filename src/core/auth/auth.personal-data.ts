// The Redis keys of the inbound per-person throttle, for the personal-data map.
import type { PersonalDataDeclarations } from '../personal-data';

export const AUTH_PERSONAL_DATA: PersonalDataDeclarations = {
  redisKeys: [
    {
      pattern: 'throttle:{default:user:<userId>} (count of the person\u2019s requests this minute)',
      category: 'Request counts of the person',
      purpose: 'Protect the service from overload by one caller',
      legalBasis: 'Art. 6(1)(f) legitimate interests',
      maxTtlSeconds: 60,
    },
  ],
};
