// Finds the methods of every provider that carry a method decorator made with
// `DiscoveryService.createDecorator`: how `@OnRun` and `@OnScheduledRun` handlers are collected.
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { DiscoverableDecorator } from '@nestjs/core';

export interface DecoratedMethod<T> {
  metadata: T;
  /** `Class.method`, for error messages. */
  origin: string;
  /** The method bound to its provider instance. */
  call: (...args: unknown[]) => unknown;
}

export function findDecoratedMethods<T>(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  decorator: DiscoverableDecorator<T>,
): DecoratedMethod<T>[] {
  const found: DecoratedMethod<T>[] = [];
  // A provider aliased with `useExisting` shows up once per token with the same instance.
  const seen = new Set<object>();
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
    seen.add(instance);
    const prototype = Object.getPrototypeOf(instance) as object | null;
    for (const methodName of scanner.getAllMethodNames(prototype)) {
      const metadata = discovery.getMetadataByDecorator(decorator, wrapper, methodName);
      if (metadata === undefined) continue;
      const origin = `${instance.constructor.name}.${methodName}`;
      if (!wrapper.isDependencyTreeStatic()) {
        throw new Error(`${origin} is a job handler on a request-scoped provider; handlers run outside requests and need a singleton`);
      }
      const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName];
      found.push({ metadata: metadata as T, origin, call: method.bind(instance) });
    }
  }
  return found;
}
