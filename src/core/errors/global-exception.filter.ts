// Maps every error to `{ statusCode, code, message }`. Domain exceptions and Nest's HTTP
// exceptions keep their status; anything else is a 500 with a generic message and a correlation
// id, and is logged with its (redacted) stack.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { RequestWithUser } from '../auth/authenticated-user';
import { DomainException } from './domain.exception';
import { ErrorBody, HTTP_STATUS_CODES } from './error-body';

@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<RequestWithUser>();
    const { body, headers } = this.toErrorBody(exception, request);
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(body.statusCode).json(body);
  }

  toErrorBody(exception: unknown, request: RequestWithUser): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof DomainException) {
      return {
        body: { statusCode: exception.statusCode, code: exception.code, message: exception.message },
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { body: { statusCode: status, code: codeFor(status), message: messageOf(exception) }, headers: {} };
    }
    const correlationId = request.requestId ?? randomUUID();
    this.logger.error(
      { msg: 'Unhandled error', correlationId, method: request.method, path: request.path },
      exception instanceof Error ? exception : undefined,
    );
    return {
      body: { statusCode: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', correlationId },
      headers: {},
    };
  }
}

function codeFor(status: number): string {
  return HTTP_STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
