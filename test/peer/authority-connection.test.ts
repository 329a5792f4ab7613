import { until } from '../helpers/until.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { joinAs } from '../helpers/ws-peer.ts';
import { Options } from '../../src/peer/options.ts';
import type { AuthorityConnection } from '../../src/peer/authority-connection.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});


describe('AuthorityConnection', () => {
  it('applies the options the authority pushes and learns its observed address', async () => {
    const authority = await startTestAuthority(['--option', 'max_peer_connections=6', '--option', 'unknown_thing=1']);
    cleanup.push(() => authority.close());
    const options = new Options();
    const connection = await joinAs('worker', authority.wsUrl, options);
    cleanup.push(() => connection.stop());
    expect(options.get('max_peer_connections')).toBe(6);
    expect(options.get('ice_loopback_only')).toBe(1);
    expect(connection.address).toBe('127.0.0.1');
    expect(connection.protocol).toBe('p2p:authority<-worker/2');
  });

  it('rejoins with backoff after the authority comes back', async () => {
    const first: TestAuthority = await startTestAuthority();
    const connection: AuthorityConnection = await joinAs('worker', first.wsUrl);
    cleanup.push(() => connection.stop());
    const port = first.port;
    await first.close();
    await until(() => connection.state !== 'joined', 5000);
    expect(connection.error).toMatch(/closed/);
    const second = await startTestAuthority(['--port', String(port)]);
    cleanup.push(() => second.close());
    await until(() => connection.state === 'joined', 10_000);
    expect(second.registry.get(connection.id)).toBeDefined();
  }, 20_000);

  it('says which authorities it tried when none answers', async () => {
    const authority = await startTestAuthority();
    const url = authority.wsUrl;
    await authority.close();
    await expect(joinAs('worker', url)).rejects.toThrow(/^no authority reachable: cannot reach ws:\/\/127\.0\.0\.1:\d+\/ws/);
  });
});
