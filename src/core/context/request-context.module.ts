import { Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { RequestUserContext } from './request-user-context';

/**
 * Opens a CLS context for every HTTP request (middleware) and offers `RequestUserContext`.
 * There are no proxy providers or CLS plugins here, so the middleware is told not to look for
 * them: resolving proxy providers `require`s a module on every request (about 2% of a small
 * request's CPU in `bench:load`).
 * Not global, nor is the CLS module: `RequestUserContext` is the only reader of the CLS, and the
 * modules that use it (auth, the run engine, the query counter) import this module. It is a static
 * module, so the CLS middleware is mounted once however many modules import it.
 */
@Module({
  imports: [ClsModule.forRoot({ global: false, middleware: { mount: true, resolveProxyProviders: false, initializePlugins: false } })],
  providers: [RequestUserContext],
  exports: [RequestUserContext],
})
export class RequestContextModule {}
