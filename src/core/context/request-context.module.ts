import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { RequestUserContext } from './request-user-context';

/** Opens a CLS context for every HTTP request (middleware) and offers `RequestUserContext`. */
@Global()
@Module({
  imports: [ClsModule.forRoot({ global: true, middleware: { mount: true } })],
  providers: [RequestUserContext],
  exports: [RequestUserContext],
})
export class RequestContextModule {}
