import { Test } from '@nestjs/testing';
import { ENTITY_TYPES } from '../../core/redaction/entity-type';
import { RedactionModule } from './redaction.module';
import { RedactionService } from './redaction.service';

describe(RedactionService.name, () => {
  let sut: RedactionService;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RedactionModule] }).compile();
    sut = moduleRef.get(RedactionService);
  });

  it('should start with a zero count for every entity type', () => {
    expect(sut.countsByType()).toEqual(Object.fromEntries(ENTITY_TYPES.map((type) => [type, 0])));
  });

  it('should count entities redacted from text, objects and prompts', () => {
    expect(sut.redactText('mail a@b.io and c@d.io', 'log').text).toBe('mail [EMAIL] and [EMAIL]');
    expect(sut.redactObject({ password: 'x', note: 'call 202-555-0143' })).toEqual({ password: '[SECRET]', note: 'call [PHONE]' });
    expect(sut.createPromptSanitizer().sanitize('@alice')).toBe('[USER_1]');
    expect(sut.countsByType()).toMatchObject({ EMAIL: 2, SECRET: 1, PHONE: 1, MENTION: 1, URL: 0 });
  });

  it('should hand out a copy of its counts', () => {
    sut.countsByType().EMAIL = 99;
    expect(sut.countsByType().EMAIL).toBe(0);
  });

  it('should mask user ids', () => {
    expect(sut.maskUserId('user-123456')).toBe('****3456');
  });
});
