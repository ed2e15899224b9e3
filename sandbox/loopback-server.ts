import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server bound to 127.0.0.1 only. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Starts answering with `listener` (requests before that would wait: call it before publishing the URL). */
  serve(listener: RequestListener): void;
  /** Closes every connection, keep-alive ones included, and the server. */
  close(): Promise<void>;
}

/**
 * Binds a port on the loopback interface before the service behind it exists, so the sandbox can
 * learn every port (0 = any free one) first and wire the services, which need each other's
 * URLs, afterwards.
 */
export async function listenOnLoopback(port: number): Promise<LoopbackServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    serve: (listener) => {
      server.on('request', listener);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
