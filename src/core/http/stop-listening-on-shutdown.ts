// Shutdown, step one: refuse new connections at once. Nest closes the HTTP server only after every
// onModuleDestroy and beforeApplicationShutdown hook, and the run worker drains in the latter (up
// to its grace period): without this the app would take new requests all that time. Requests in
// flight go on; Nest's own close of the server waits for them later, before the database closes.
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

@Injectable()
export class StopListeningOnShutdown implements OnModuleDestroy {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleDestroy(): void {
    // No adapter in a worker process (an application context without HTTP).
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    // Also ends idle keep-alive connections (Node 19+), so clients reconnect to another instance.
    if (server?.listening) server.close();
  }
}
