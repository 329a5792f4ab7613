// Re-renders a lit element whenever the role object it shows emits `change`. The role is the
// single source of truth (DESIGN.md section 9, `window.peerfarm`); elements only read it.
// A farming role can emit hundreds of changes a second, so pages may batch them to one update per
// animation frame; a hidden tab then renders nothing until it is shown again.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface RoleControllerOptions {
  /** At most one update per animation frame, however often the role changes. */
  readonly perFrame?: boolean;
  /** Runs on every change, before the (perhaps batched) update: for noting state transitions. */
  readonly onChange?: () => void;
}

export class RoleController<T extends EventTarget> implements ReactiveController {
  private target: T | undefined;
  private connected = false;
  private frame: number | undefined;

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
    this.frame = undefined;
  }

  private readonly onChange = (): void => {
    this.options.onChange?.();
    if (!this.options.perFrame) return this.host.requestUpdate();
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.host.requestUpdate();
    });
  };

  private subscribe(): void {
    this.target?.addEventListener('change', this.onChange);
  }

  private unsubscribe(): void {
    this.target?.removeEventListener('change', this.onChange);
  }
}
