import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { openWebSocketLink, WebSocketLink, type WebSocketLike } from '../../src/net/ws-link.ts';
import { linkConformance } from './link-conformance.ts';

linkConformance('WebSocket (ws)', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise<WebSocketLink>((resolve) => {
    server.once('connection', (socket) => resolve(new WebSocketLink(socket as unknown as WebSocketLike, 'client')));
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const a = await openWebSocketLink(new WebSocket(url) as unknown as WebSocketLike, url, 2000);
  const b = await accepted;
  return {
    a, b,
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
});
