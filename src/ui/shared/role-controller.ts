// Re-renders a lit element whenever the role object it shows emits `change`. The role is the
// single source of truth (DESIGN.md section 9, `window.peerfarm`); elements only read it.
// A farming role can emit hundreds of changes a second, so pages batch them to one update per
// animation frame, and to one a second while they farm: every render of a busy page cost style,
// layout and a whole-page paint, and a frame for the display compositor, on the cores its jobs
// need (measured in bench/farm: 4 renders a second cost each worker tab about 0.1 ms of its main
// thread per 1 ms job). A hidden tab then renders nothing until it is shown again.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How often the worker and submit pages re-render at most while they farm (once a second); idle, they follow every frame. */
export const BUSY_PAGE_UPDATE_MS = 1000;

export interface RoleControllerOptions {
  /** At most one update per animation frame, however often the role changes. */
  readonly perFrame?: boolean;
  /** With perFrame: and no two updates closer than this, read at each change (busy pages: once a second). */
  readonly minIntervalMs?: number | (() => number);
  /** Runs on every change, before the (perhaps batched) update: for noting state transitions. */
  readonly onChange?: () => void;
}

export class RoleController<T extends EventTarget> implements ReactiveController {
  private target: T | undefined;
  private connected = false;
  private frame: number | undefined;
  private wait: ReturnType<typeof setTimeout> | undefined;
  private lastUpdateMs = -Infinity;

  constructor(private readonly host: ReactiveControllerHost, private readonly options: RoleControllerOptions = {}) {
    host.addController(this);
  }

  /** Follows `target` from now on (the host calls this when its `role` property changes). */
  observe(target: T | undefined): void {
    if (target === this.target) return;
    this.unsubscribe();
    this.target = target;
    if (this.connected) this.subscribe();
  }

  hostConnected(): void {
    this.connected = true;
    this.subscribe();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unsubscribe();
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    clearTimeout(this.wait);
    this.frame = undefined;
    this.wait = undefined;
  }

  private readonly onChange = (): void => {
    this.options.onChange?.();
    if (!this.options.perFrame) return this.host.requestUpdate();
    if (this.frame !== undefined) return;
    const { minIntervalMs = 0 } = this.options;
    const waitMs = this.lastUpdateMs + (typeof minIntervalMs === 'number' ? minIntervalMs : minIntervalMs()) - performance.now();
    // A page that stopped being busy (its series ended) draws the change at once, not when the wait ends.
    if (waitMs <= 0) {
      clearTimeout(this.wait);
      this.wait = undefined;
      this.nextFrame();
      return;
    }
    this.wait ??= setTimeout(() => {
      this.wait = undefined;
      this.nextFrame();
    }, waitMs);
  };

  private nextFrame(): void {
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.lastUpdateMs = performance.now();
      this.host.requestUpdate();
    });
  }

  private subscribe(): void {
    this.target?.addEventListener('change', this.onChange);
  }

  private unsubscribe(): void {
    this.target?.removeEventListener('change', this.onChange);
  }
}
