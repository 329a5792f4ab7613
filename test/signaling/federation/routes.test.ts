import { describe, expect, it } from 'vitest';
import { RouteCache } from '../../../signaling/federation/routes.ts';

describe('RouteCache', () => {
  it('remembers the authority a peer signaled through until the route expires', () => {
    let nowMs = 0;
    const routes = new RouteCache(() => nowMs, 1000);
    routes.remember('client', 'authority-a');
    expect(routes.get('client')).toBe('authority-a');
    nowMs = 1000;
    expect(routes.get('client')).toBeUndefined();
    expect(routes.size).toBe(0);
  });

  it('keeps the most recently used routes when full', () => {
    const routes = new RouteCache(() => 0, 1000, 2);
    routes.remember('p1', 'a');
    routes.remember('p2', 'a');
    routes.remember('p1', 'b');
    routes.remember('p3', 'a');
    expect([routes.get('p1'), routes.get('p2'), routes.get('p3')]).toEqual(['b', undefined, 'a']);
  });

  it('forgets every route through an authority that is gone', () => {
    const routes = new RouteCache(() => 0);
    routes.remember('p1', 'a');
    routes.remember('p2', 'b');
    routes.forgetAuthority('a');
    expect([routes.get('p1'), routes.get('p2')]).toEqual([undefined, 'b']);
  });
});
