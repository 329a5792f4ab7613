// Re-renders a lit element whenever the role object it shows emits `change`. The role is the
// single source of truth (DESIGN.md section 9, `window.peerfarm`); elements only read it.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class RoleController<T extends EventTarget> implements ReactiveController {
  private target: T | undefined;
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost) {
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
  }

  private readonly onChange = (): void => {
    this.host.requestUpdate();
  };

  private subscribe(): void {
    this.target?.addEventListener('change', this.onChange);
  }

  private unsubscribe(): void {
    this.target?.removeEventListener('change', this.onChange);
  }
}
