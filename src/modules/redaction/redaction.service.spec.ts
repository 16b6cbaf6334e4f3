import { Test } from '@nestjs/testing';
import { ENTITY_TYPES, redactObject, redactText } from '../../core/redaction';
import { redactForLog } from '../../core/logging/redact-for-log';
import { RedactionModule } from './redaction.module';
import { RedactionService } from './redaction.service';

describe(RedactionService.name, () => {
  let sut: RedactionService;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RedactionModule] }).compile();
    sut = moduleRef.get(RedactionService);
  });

  /** Counts are process-wide, so each test looks at what it added. */
  function delta(before: Record<string, number>): Record<string, number> {
    const after = sut.countsByType();
    return Object.fromEntries(ENTITY_TYPES.map((type) => [type, after[type] - before[type]]));
  }

  it('should count entities redacted from text, objects and prompts through the service', () => {
    const before = sut.countsByType();
    expect(sut.redactText('mail a@b.io and c@d.io', 'log').text).toBe('mail [EMAIL] and [EMAIL]');
    expect(sut.redactObject({ password: 'x', note: 'call 202-555-0143' })).toEqual({ password: '[SECRET]', note: 'call [PHONE]' });
    expect(sut.createPromptSanitizer().sanitize('@alice')).toBe('[USER_1]');
    expect(delta(before)).toMatchObject({ EMAIL: 2, SECRET: 1, PHONE: 1, MENTION: 1, URL: 0 });
  });

  it('should count the redactions made without the service too: the plain API and the logger', () => {
    const before = sut.countsByType();
    redactText('tweet by x@y.io', 'log');
    redactObject({ summary: 'ring 202-555-0143' }, 'log');
    redactForLog({ msg: 'from 10.0.0.1' });
    expect(delta(before)).toMatchObject({ EMAIL: 1, PHONE: 1, IP_ADDRESS: 1 });
  });

  it('should count by profile', () => {
    const promptBefore = sut.counts().find((entry) => entry.profile === 'prompt' && entry.type === 'EMAIL')!.count;
    const logBefore = sut.counts().find((entry) => entry.profile === 'log' && entry.type === 'EMAIL')!.count;
    redactText('a@b.io', 'prompt');
    expect(sut.counts().find((entry) => entry.profile === 'prompt' && entry.type === 'EMAIL')!.count).toBe(promptBefore + 1);
    expect(sut.counts().find((entry) => entry.profile === 'log' && entry.type === 'EMAIL')!.count).toBe(logBefore);
  });

  it('should hand out a copy of its counts', () => {
    const counts = sut.countsByType();
    const email = counts.EMAIL;
    counts.EMAIL = email + 99;
    expect(sut.countsByType().EMAIL).toBe(email);
  });

  it('should mask user ids', () => {
    expect(sut.maskUserId('user-123456')).toBe('****3456');
  });
});
