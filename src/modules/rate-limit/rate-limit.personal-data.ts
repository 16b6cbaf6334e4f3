// The Redis keys of the outbound rate limiter that name a person, for the personal-data map.
import type { PersonalDataDeclarations } from '../../core/personal-data';
import { DEFAULT_RATE_LIMIT_POLICIES } from '../../core/rate-limit/rate-limit.types';

const LONGEST_USER_WINDOW_MS = Math.max(...Object.values(DEFAULT_RATE_LIMIT_POLICIES.perUser).map((policy) => policy.windowMs));

export const RATE_LIMIT_PERSONAL_DATA: PersonalDataDeclarations = {
  redisKeys: [
    {
      pattern: 'rl:{<provider>:<userId>} (sliding window log of the person\u2019s calls to X and Anthropic)',
      category: 'Timestamps of calls made for the person',
      purpose: 'Keep each person within the providers\u2019 per-user rate limits',
      legalBasis: 'Art. 6(1)(f) legitimate interests',
      maxTtlSeconds: LONGEST_USER_WINDOW_MS / 1000,
    },
  ],
};
