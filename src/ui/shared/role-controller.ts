// Re-renders a lit element whenever the role object it shows emits `change`. The role is the
// single source of truth (DESIGN.md section 9, `window.peerfarm`); elements only read it.
// A farming role can emit hundreds of changes a second, so pages may batch them to one update per
// animation frame, and busy pages to fewer still (a page re-rendered 60 times a second while it
// farms spent most of its main thread on style, layout and paint: measured in bench/farm); a
// hidden tab then renders nothing until it is shown again.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How often the worker and submit pages re-render at most (4 times a second): smooth enough, cheap while they farm. */
export const BUSY_PAGE_UPDATE_MS = 250;

export interface RoleControllerOptions {
  /** At most one update per animation frame, however often the role changes. */
  readonly perFrame?: boolean;
  /** With perFrame: and no two updates closer than this (busy pages: a few a second is smooth enough). */
  readonly minIntervalMs?: number;
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
    if (this.frame !== undefined || this.wait !== undefined) return;
    const waitMs = this.lastUpdateMs + (this.options.minIntervalMs ?? 0) - performance.now();
    if (waitMs > 0) this.wait = setTimeout(() => {
      this.wait = undefined;
      this.nextFrame();
    }, waitMs);
    else this.nextFrame();
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
