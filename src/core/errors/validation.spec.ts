import { ValidationPipe } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max } from 'class-validator';
import { ToInteger } from '../http/to-integer';
import { createValidationPipe, RequestValidationException } from './validation';

class OptionalQuery {
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Max(100)
  limit?: number;
}

class RequiredQuery {
  @IsString()
  name!: string;
}

describe('createValidationPipe, empty query objects', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should validate an empty query once per DTO class and give every request its own instance', async () => {
    const sut = createValidationPipe();
    const validate = jest.spyOn(ValidationPipe.prototype, 'transform');
    const metadata = { type: 'query' as const, metatype: OptionalQuery };

    const first = (await sut.transform({}, metadata)) as OptionalQuery;
    first.limit = 7;
    const second = (await sut.transform({}, metadata)) as OptionalQuery;

    expect(validate).toHaveBeenCalledTimes(1);
    expect(second).toBeInstanceOf(OptionalQuery);
    expect(second).not.toBe(first);
    expect(second.limit).toBeUndefined();
  });

  it('should still validate every query that has fields', async () => {
    const sut = createValidationPipe();
    const metadata = { type: 'query' as const, metatype: OptionalQuery };
    await sut.transform({}, metadata);

    await expect(sut.transform({ limit: '500' }, metadata)).rejects.toBeInstanceOf(RequestValidationException);
    await expect(sut.transform({ other: '1' }, metadata)).rejects.toBeInstanceOf(RequestValidationException);
    await expect(sut.transform({ limit: '5' }, metadata)).resolves.toEqual(Object.assign(new OptionalQuery(), { limit: 5 }));
  });

  it('should refuse an empty query every time when the DTO requires a field', async () => {
    const sut = createValidationPipe();
    const validate = jest.spyOn(ValidationPipe.prototype, 'transform');
    const metadata = { type: 'query' as const, metatype: RequiredQuery };

    await expect(sut.transform({}, metadata)).rejects.toBeInstanceOf(RequestValidationException);
    await expect(sut.transform({}, metadata)).rejects.toBeInstanceOf(RequestValidationException);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it('should not take an empty body for an empty query', async () => {
    const sut = createValidationPipe();
    const validate = jest.spyOn(ValidationPipe.prototype, 'transform');
    await sut.transform({}, { type: 'body', metatype: OptionalQuery });
    await sut.transform({}, { type: 'body', metatype: OptionalQuery });
    expect(validate).toHaveBeenCalledTimes(2);
  });
});
