// Page of the datachannel benchmark that carries data through a PeerJS DataConnection (serialization
// 'binary', PeerJS's default: BinaryPack plus its own 16,300-byte chunking) against a local PeerJS server.
// The loopback wrapper must be evaluated before PeerJS: keep this import first.
import { candidateCounts, LoopbackRTCPeerConnection } from './loopback-rtc.ts';
import { type DataConnection, Peer } from 'peerjs';
import type { PrepareOptions } from './api.ts';
import { type Carrier, installApi, payloadText, type Session, withTimeout } from './harness.ts';

const REGISTER_TIMEOUT_MS = 10_000;

async function peerjsCarrier(options: PrepareOptions, session: Session): Promise<Carrier> {
  const server = options.peerjs;
  if (!server) throw new Error('peerjs: no server options');
  if ((window.RTCPeerConnection as unknown) !== LoopbackRTCPeerConnection) {
    throw new Error('peerjs: the loopback wrapper is not installed');
  }
  const peer = new Peer(server.id, {
    host: server.host,
    port: server.port,
    path: server.path,
    secure: false,
    debug: 0,
    config: { iceServers: [] },
  });
  await withTimeout(new Promise<void>((resolve, reject) => {
    peer.once('open', () => resolve());
    peer.once('error', (error) => reject(error));
  }), REGISTER_TIMEOUT_MS, 'peerjs: register with the server');

  const startedAt = performance.now();
  let connection: DataConnection | undefined;
  const opened = new Promise<void>((resolve, reject) => {
    const attach = (conn: DataConnection) => {
      connection = conn;
      conn.on('data', (data: unknown) => {
        if (typeof data === 'string') session.text(data);
        else if (data instanceof ArrayBuffer) session.payload(data.byteLength);
      });
      conn.on('error', (error) => reject(error));
      if (conn.open) resolve();
      else conn.on('open', () => resolve());
    };
    peer.on('error', (error) => reject(error));
    if (options.initiator) attach(peer.connect(server.remoteId, { serialization: 'binary', reliable: true }));
    else peer.on('connection', attach);
  });
  opened.catch(() => undefined);
  const open = (): DataConnection => {
    if (!connection?.open) throw new Error('peerjs: connection is not open');
    return connection;
  };
  return {
    opened,
    startedAt,
    sendControl: (text) => void open().send(text),
    preparePayload: (totalBytes, frameBytes) => void payloadText(Math.min(totalBytes, frameBytes)),
    sendPayload(totalBytes, frameBytes) {
      const conn = open();
      const frame = payloadText(Math.min(totalBytes, frameBytes));
      for (let sent = 0; sent < totalBytes; sent += frame.length) void conn.send(frame);
    },
    signal: () => undefined, // PeerJS signals through its own server
    peerConnection: () => connection?.peerConnection,
    candidates: candidateCounts,
    close: () => {
      connection?.close();
      peer.destroy();
    },
  };
}

installApi({ peerjs: peerjsCarrier });
