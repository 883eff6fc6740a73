/**
 * Issue 21, goal 5: the writer codec's warm-up runs in the page-1 wait, i.e. only once a request
 * has been sent (never before: it would delay that request by what it saves), once per run
 * however many requests follow, never after the run stopped waiting, and a failing warm-up
 * fails nothing. Requests go to a real server on 127.0.0.1 that holds them unanswered, as a
 * slow API does, through undici (Node's fetch: the same diagnostics channel as core's client).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { afterFirstRequestSent } from '../src/first-request-idle.js';

interface HeldServer {
  url: string;
  /** Requests received and not answered yet. */
  held: ServerResponse[];
  received: Promise<IncomingMessage>;
  close(): Promise<void>;
}

const servers: HeldServer[] = [];

async function heldServer(): Promise<HeldServer> {
  const held: ServerResponse[] = [];
  let arrived: (r: IncomingMessage) => void = () => undefined;
  const received = new Promise<IncomingMessage>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((req, res) => {
    held.push(res);
    arrived(req);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const s: HeldServer = {
    url: `http://127.0.0.1:${port}/api/v1/calls/logs`,
    held,
    received,
    async close() {
      for (const res of held) res.end('{}');
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  servers.push(s);
  return s;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A few turns of the event loop: enough for anything already scheduled to have run. */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

describe('afterFirstRequestSent', () => {
  it('runs the warm-up once the first request is sent, and only once', async () => {
    const server = await heldServer();
    let runs = 0;
    let ran: () => void = () => undefined;
    const warmedUp = new Promise<void>((resolve) => {
      ran = resolve;
    });
    const stop = afterFirstRequestSent(async () => {
      runs += 1;
      ran();
    });
    try {
      await turns();
      expect(runs).toBe(0); // nothing sent yet: nothing to hide behind
      const first = fetch(server.url).catch(() => undefined);
      await server.received;
      await warmedUp;
      const second = fetch(`${server.url}?pageno=2`).catch(() => undefined);
      await turns(20);
      expect(runs).toBe(1);
      for (const res of server.held) res.end('{}');
      await Promise.all([first, second]);
      expect(runs).toBe(1);
    } finally {
      stop();
    }
  });

  it('never runs once the run stopped waiting', async () => {
    const server = await heldServer();
    let runs = 0;
    const stop = afterFirstRequestSent(async () => {
      runs += 1;
    });
    stop();
    const answered = fetch(server.url).catch(() => undefined);
    await server.received;
    await turns(20);
    for (const res of server.held) res.end('{}');
    await answered;
    expect(runs).toBe(0);
  });

  it('swallows a failing warm-up (no unhandled rejection)', async () => {
    const server = await heldServer();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let attempted = false;
    const stop = afterFirstRequestSent(async () => {
      attempted = true;
      throw new Error('codec failed to load');
    });
    try {
      const answered = fetch(server.url).catch(() => undefined);
      await server.received;
      await turns(20);
      for (const res of server.held) res.end('{}');
      await answered;
      await turns(5);
      expect(attempted).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      stop();
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
