/**
 * The simulator server's lifecycle: listening on 127.0.0.1, the delays a response waits on
 * (latency, stalls, slow bodies), and a close that cancels those delays and destroys every
 * socket, so a test never waits on a timer or a keep-alive connection after `close()`.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Resolves true after `ms`, or false at once when the server closes first. */
export type Wait = (ms: number) => Promise<boolean>;

export class ServerLifecycle {
  readonly #server: Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<() => void>();
  readonly #sockets = new Set<Socket>();
  #closing: Promise<void> | null = null;

  constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1:`port` (0: any free port); resolves with the port bound. */
  async listen(port: number): Promise<number> {
    const server = this.#server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /** See {@link Wait}. */
  readonly wait: Wait = (ms) =>
    new Promise((resolve) => {
      if (this.#closing) return resolve(false);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        this.#waiters.delete(cancel);
        resolve(ok);
      };
      const cancel = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      this.#timers.add(timer);
      this.#waiters.add(cancel);
    });

  /** Stops the server, cancels pending waits, destroys open sockets. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const cancel of [...this.#waiters]) cancel();
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
    return this.#closing;
  }
}
