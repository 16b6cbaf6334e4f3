// Everything an HTTP app needs besides its modules: body parsing with limits, validation, the
// error filter, Swagger and shutdown hooks. Shared by main.ts and the e2e tests so they cannot drift.
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import { bodyParserErrorHandler, formBodyParser, jsonBodyParser } from '../errors/body-parser';
import { GlobalExceptionFilter } from '../errors/global-exception.filter';
import { requestIdMiddleware } from '../errors/request-id.middleware';
import { createValidationPipe } from '../errors/validation';
import { NoRequestBodyInterceptor } from './no-request-body.interceptor';

export function configureApp(app: NestExpressApplication, config: Pick<AppConfig, 'trustProxy'>): INestApplication {
  app.disable('x-powered-by');
  // Behind a proxy the socket's address is the proxy's: without this every client would share one
  // throttle bucket; with more hops trusted than there are, a client could pick its own address.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // API answers carry personal data: no browser or proxy may keep a copy of them. Express's ETag (a
  // SHA-1 of every body, only useful to revalidate a cached copy) then has nothing to do.
  app.set('etag', false);
  app.use('/api', noStore);
  app.use(requestIdMiddleware);
  app.use(jsonBodyParser);
  app.use(formBodyParser);
  app.use(bodyParserErrorHandler);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new NoRequestBodyInterceptor());
  app.useGlobalFilters(new GlobalExceptionFilter());
  // SIGTERM/SIGINT: stop the workers, finish the requests in flight, close the database and Redis,
  // then exit 0 (Nest's default re-raises the signal, so supervisors saw a kill, not a clean exit).
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  setupSwagger(app);
  return app;
}

function noStore(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Cache-Control', 'no-store');
  next();
}

function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Repazoo API')
      .setDescription(
        'Privacy-first ingestion and sentiment analysis of your own X (Twitter) data. ' +
          'Mint a token with `npm run cli -- token --user <id>` and use "Authorize".',
      )
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
