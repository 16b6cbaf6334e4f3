// Enumerates every HTTP route of a running Nest app from the controllers' own metadata (paths,
// methods and the @Public/@Authenticated options), so the reliability tests cover a new route
// without being edited.
import { RequestMethod, Type } from '@nestjs/common';
import type { Test } from 'supertest';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AUTH_OPTIONS_KEY, AuthenticatedOptions, IS_PUBLIC_KEY } from '../../../src/core/auth/auth.decorators';

export interface AppRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style path with `:params`, e.g. `/api/runs/:id`. */
  path: string;
  params: string[];
  isPublic: boolean;
  admin: boolean;
  controller: string;
  handler: string;
}

const METHODS: Partial<Record<RequestMethod, AppRoute['method']>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

export function listRoutes(app: NestExpressApplication): AppRoute[] {
  const routes: AppRoute[] = [];
  const seen = new Set<Type>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const prefixes = asArray(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        if (!method) throw new Error(`${controller.name}.${name}: a request method the route table does not know`);
        const isPublic = lookup<boolean>(IS_PUBLIC_KEY, handler, controller) === true;
        const options = lookup<AuthenticatedOptions>(AUTH_OPTIONS_KEY, handler, controller) ?? {};
        for (const prefix of prefixes) {
          for (const path of asArray(paths)) {
            const full = `/${[prefix, path].map((part) => part.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
            routes.push({
              method,
              path: full,
              params: [...full.matchAll(/:(\w+)/g)].map((match) => match[1]),
              isPublic,
              admin: options.admin === true,
              controller: controller.name,
              handler: name,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The path with every `:param` replaced by `value(param)`. */
export function fillPath(route: Pick<AppRoute, 'path'>, value: (param: string) => string): string {
  return route.path.replace(/:(\w+)/g, (_match, name: string) => encodeURIComponent(value(name)));
}

function lookup<T>(key: string, handler: object, controller: Type): T | undefined {
  const own = Reflect.getMetadata(key, handler) as T | undefined;
  return own !== undefined ? own : (Reflect.getMetadata(key, controller) as T | undefined);
}

function asArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [''];
  return Array.isArray(value) ? value : [value];
}

/**
 * Routes whose successful answer is an endless stream (Server-Sent Events). A test that calls every
 * route reads their status and headers and first chunk, then hangs up (see `endStreams`); a new
 * streaming route missing here makes such a test time out, which names it.
 */
export const STREAMING_ROUTES = new Set(['GET /api/admin/runs/events']);

interface StreamingResponse {
  headers: Record<string, string | string[] | undefined>;
  setEncoding(encoding: 'utf8'): void;
  on(event: 'data', listener: (chunk: string) => void): void;
  on(event: 'end' | 'close', listener: () => void): void;
  destroy(): void;
}

/**
 * Makes a supertest request end at the first chunk of an event stream (an error answer, JSON, is
 * read whole and parsed as usual), so a streaming route can be called like any other.
 */
export function endStreams(pending: Test): Test {
  // In Node, superagent hands the parser the raw IncomingMessage (typed as its own Response).
  return pending.buffer(true).parse((raw, done) => {
    const response = raw as unknown as StreamingResponse;
    let text = '';
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the event stream's first chunk, kept as text
      }
      done(null, body);
    };
    const isStream = String(response.headers['content-type'] ?? '').startsWith('text/event-stream');
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      text += chunk;
      if (isStream) {
        finish();
        response.destroy();
      }
    });
    response.on('end', finish);
    response.on('close', finish);
  });
}
