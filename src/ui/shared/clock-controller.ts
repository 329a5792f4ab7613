// Ticks while its host is on the page, so relative times ("12 s ago") stay true between role
// changes. Stops with the host so a removed element costs nothing.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Relative times are shown to the second. */
export const CLOCK_TICK_MS = 1000;

export class ClockController implements ReactiveController {
  now = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: ReactiveControllerHost, private readonly tickMs = CLOCK_TICK_MS) {
    host.addController(this);
  }

  hostConnected(): void {
    this.now = Date.now();
    this.timer = setInterval(() => {
      this.now = Date.now();
      this.host.requestUpdate();
    }, this.tickMs);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
