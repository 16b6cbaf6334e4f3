// A route that declares no body refuses one, as a DTO route refuses unknown fields: a client that
// sends `{ "dryRun": true }` to a POST that takes no options must not have the action carried out
// as if it had been honoured.
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { RequestValidationException } from '../errors/validation';

@Injectable()
export class NoRequestBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http' && !readsBody(context)) {
      const { body } = context.switchToHttp().getRequest<Request>();
      // `{}` carries nothing, as an empty DTO would accept it; many clients send it with every POST.
      if (body !== undefined && !isEmptyObject(body)) throw new RequestValidationException(['this route takes no request body']);
    }
    return next.handle();
  }
}

/** Whether the handler takes the body: through `@Body()`, or through `@Req()` (it reads the raw request itself). */
function readsBody(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => {
    const type = Number(key.split(':')[0]);
    return type === RouteParamtypes.BODY || type === RouteParamtypes.REQUEST;
  });
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
