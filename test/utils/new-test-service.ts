// Builds a service for a unit test with every constructor dependency replaced by a typed
// auto-mock, as immich's `newTestService(X)` does. Dependencies are read from the class's
// `design:paramtypes` metadata (emitted because of its @Injectable decorator); a parameter
// injected with @Inject(TOKEN), or typed by an interface, has no class to mock and must be given
// in `overrides`.
import 'reflect-metadata';
import type { InjectionToken, Type } from '@nestjs/common';

/** Replaces one dependency with a real object (a ManualClock, a config, a hand-written fake). */
export interface TestOverride {
  provide: InjectionToken;
  useValue: unknown;
}

export interface TestServiceMocks {
  /** The auto-mock that stands for the dependency of this class. */
  get<T>(type: Type<T>): jest.Mocked<T>;
}

export interface TestService<S> {
  sut: S;
  mocks: TestServiceMocks;
}

/**
 * `const { sut, mocks } = newTestService(ConsentService, [{ provide: Clock, useValue: clock }])`,
 * then `mocks.get(ConsentRepository).findToken.mockResolvedValue(token)`.
 */
export function newTestService<S>(service: Type<S>, overrides: readonly TestOverride[] = []): TestService<S> {
  const paramTypes = (Reflect.getMetadata('design:paramtypes', service) ?? []) as unknown[];
  // Nest records @Inject(token) parameters here; they override the emitted type.
  const injected = (Reflect.getMetadata('self:paramtypes', service) ?? []) as { index: number; param: InjectionToken }[];
  const optional = (Reflect.getMetadata('optional:paramtypes', service) ?? []) as number[];
  const overrideOf = new Map<InjectionToken, unknown>(overrides.map((override) => [override.provide, override.useValue]));
  const mocks = new Map<unknown, unknown>();

  const args = paramTypes.map((paramType, index) => {
    const token = injected.find((entry) => entry.index === index)?.param ?? paramType;
    if (overrideOf.has(token as InjectionToken)) return overrideOf.get(token as InjectionToken);
    if (optional.includes(index)) return undefined;
    if (typeof token !== 'function' || token === Object) {
      throw new Error(`newTestService(${service.name}): parameter ${index} (${describeToken(token)}) has no class to mock; pass it in overrides`);
    }
    const mock = mocks.get(token) ?? automock(token as Type<unknown>);
    mocks.set(token, mock);
    return mock;
  });

  return {
    sut: new service(...args),
    mocks: {
      get<T>(type: Type<T>): jest.Mocked<T> {
        const mock = mocks.get(type);
        if (!mock) throw new Error(`newTestService(${service.name}): ${type.name} is not an auto-mocked dependency`);
        return mock as jest.Mocked<T>;
      },
    },
  };
}

/**
 * An object with a `jest.fn()` for every method of the class and its ancestors; properties and
 * getters start undefined and can be assigned. Nothing of the real class runs.
 */
export function automock<T>(type: Type<T>): jest.Mocked<T> {
  const mock: Record<string, unknown> = {};
  for (let prototype = type.prototype as object | null; prototype && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype) as object | null) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === 'constructor' || name in mock) continue;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      mock[name] = typeof descriptor?.value === 'function' ? jest.fn().mockName(`${type.name}.${name}`) : undefined;
    }
  }
  return mock as unknown as jest.Mocked<T>;
}

function describeToken(token: unknown): string {
  if (typeof token === 'function') return token.name;
  return String(token);
}
