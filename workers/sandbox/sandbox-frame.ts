// The page's side of the sandbox: creates the hidden `<iframe sandbox="allow-scripts">` (no
// allow-same-origin, so its origin is opaque) on the sandbox document (SANDBOX_PATH, or another
// site's copy), waits until its runtime reports itself isolated, and talks to it with comlink over
// a window endpoint that only accepts messages from that iframe. The page exposes nothing to the
// iframe: progress and heartbeat answers come back as plain messages, so even a compromised frame
// has no proxy into the page's realm.
import { wrap, type Endpoint, type Remote } from 'comlink';
import { JobError } from '../../src/peer/job-errors.ts';
import { createHeartbeat } from './heartbeat.ts';
import {
  LOG_LEVELS, SandboxMessage, sandboxFragment, type FailedMessage, type LogLevel, type LogMessage, type PongMessage,
  type ProgressMessage, type ReadyMessage, type SandboxApi,
} from './sandbox-protocol.ts';

/** How long the iframe may take to load and report ready (one document, no other resource). */
export const SANDBOX_START_TIMEOUT_MS = 10_000;

/** A failure the frame reports is shown to people; a frame that is not ours could send a novel. */
const FAILURE_MESSAGE_MAX_CHARS = 200;

export interface SandboxFrame {
  readonly api: Remote<SandboxApi>;
  /**
   * Heartbeat on or off: while on, a frame silent for SANDBOX_SILENCE_LIMIT_MS (heartbeat.ts) is
   * reported once to `onSilent`. Keep it on while runs are in flight, off when idle (no wake-ups).
   */
  watch(on: boolean): void;
  /** Removes the iframe (which ends its workers), the heartbeat and every listener on the page. */
  close(): void;
}

export interface SandboxFrameDeps {
  document: Document;
  /** The sandbox document (its fragment is replaced): an http(s) URL. */
  url: URL;
  threads: number;
  onProgress: (runId: number, fraction: number) => void;
  /** A job's log line (ctx.log, console.*), already capped in the frame. */
  onLog?: (runId: number, level: LogLevel, text: string) => void;
  /** The frame stopped answering while watched: its process most likely died. */
  onSilent: () => void;
}

type Listener = EventListenerOrEventListenerObject;

/** Messages on `window` that come from `frame`, and nothing else. */
function frameEndpoint(view: Window, frame: HTMLIFrameElement): Endpoint & { dispose(): void } {
  const filtered = new Map<Listener, EventListener>();
  const fromFrame = (listener: Listener): EventListener => (event) => {
    if ((event as MessageEvent).source !== frame.contentWindow) return;
    if (typeof listener === 'function') listener(event);
    else listener.handleEvent(event);
  };
  return {
    // '*': an opaque origin cannot be named as a target. Only our runtime ever runs in the frame:
    // it has no allow-top-navigation or allow-popups, and jobs (in workers) cannot navigate it.
    postMessage: (message, transfer) => frame.contentWindow?.postMessage(message, '*', transfer ?? []),
    addEventListener: (type, listener) => {
      const wrapped = fromFrame(listener);
      filtered.set(listener, wrapped);
      view.addEventListener(type, wrapped);
    },
    removeEventListener: (type, listener) => {
      const wrapped = filtered.get(listener);
      if (wrapped !== undefined) view.removeEventListener(type, wrapped);
      filtered.delete(listener);
    },
    dispose: () => {
      for (const wrapped of filtered.values()) view.removeEventListener('message', wrapped);
      filtered.clear();
    },
  };
}

function createFrame(document: Document, src: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.setAttribute('aria-hidden', 'true');
  frame.title = 'peer farm job sandbox';
  frame.hidden = true;
  frame.src = src;
  return frame;
}

function isReady(data: unknown): data is ReadyMessage {
  return typeof data === 'object' && data !== null && (data as ReadyMessage).type === SandboxMessage.READY;
}

function isFailed(data: unknown): data is FailedMessage {
  return typeof data === 'object' && data !== null && (data as FailedMessage).type === SandboxMessage.FAILED;
}

function isPong(data: unknown): data is PongMessage {
  return typeof data === 'object' && data !== null && (data as PongMessage).type === SandboxMessage.PONG
    && typeof (data as PongMessage).seq === 'number';
}

function isLog(data: unknown): data is LogMessage {
  const message = data as LogMessage;
  return typeof data === 'object' && data !== null && message.type === SandboxMessage.LOG && typeof message.runId === 'number'
    && (LOG_LEVELS as readonly unknown[]).includes(message.level) && typeof message.text === 'string';
}

function isProgress(data: unknown): data is ProgressMessage {
  const message = data as ProgressMessage;
  return typeof data === 'object' && data !== null && message.type === SandboxMessage.PROGRESS
    && typeof message.runId === 'number' && typeof message.fraction === 'number';
}

/** Resolves when the frame reports ready with an opaque origin and its CSP in force. */
function whenReady(view: Window, frame: HTMLIFrameElement): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      view.removeEventListener('message', onMessage);
      clearTimeout(timer);
      reject(new JobError('SANDBOX_FAILED', message));
    };
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.contentWindow) return;
      if (isFailed(event.data)) return fail(String(event.data.message).slice(0, FAILURE_MESSAGE_MAX_CHARS));
      if (!isReady(event.data)) return;
      if (event.data.origin !== 'null') return fail(`the sandbox frame is not isolated: origin ${event.data.origin}`);
      if (!event.data.cspInForce) return fail('the sandbox frame is not under its Content Security Policy');
      view.removeEventListener('message', onMessage);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => fail(`the sandbox frame did not start within ${SANDBOX_START_TIMEOUT_MS} ms`), SANDBOX_START_TIMEOUT_MS);
    view.addEventListener('message', onMessage);
  });
}

/** The sandbox document's URL with this page's settings in its fragment. */
function frameSource(url: URL, parentOrigin: string, threads: number): string {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new JobError('SANDBOX_FAILED', `the sandbox document must be at an http(s) URL, got ${url.href}`);
  }
  const source = new URL(url);
  source.hash = sandboxFragment({ parentOrigin, threads });
  return source.href;
}

export async function openSandboxFrame(deps: SandboxFrameDeps): Promise<SandboxFrame> {
  const view = deps.document.defaultView;
  if (view === null) throw new JobError('SANDBOX_FAILED', 'the document has no window');
  const parentOrigin = view.location.origin;
  if (parentOrigin === 'null') throw new JobError('SANDBOX_FAILED', 'the page has an opaque origin; the sandbox needs to name it');
  const frame = createFrame(deps.document, frameSource(deps.url, parentOrigin, deps.threads));
  const ready = whenReady(view, frame);
  (deps.document.body ?? deps.document.documentElement).append(frame);
  try {
    await ready;
  } catch (error) {
    frame.remove();
    throw error;
  }
  const endpoint = frameEndpoint(view, frame);
  const heartbeat = createHeartbeat({
    ping: (seq) => frame.contentWindow?.postMessage({ type: SandboxMessage.PING, seq }, '*'),
    onSilent: deps.onSilent,
  });
  const onMessage = (event: MessageEvent) => {
    if (event.source !== frame.contentWindow) return;
    if (isProgress(event.data)) deps.onProgress(event.data.runId, event.data.fraction);
    else if (isLog(event.data)) deps.onLog?.(event.data.runId, event.data.level, event.data.text);
    else if (isPong(event.data)) heartbeat.answered(event.data.seq);
  };
  view.addEventListener('message', onMessage);
  return {
    api: wrap<SandboxApi>(endpoint),
    watch: (on) => (on ? heartbeat.start() : heartbeat.stop()),
    close: () => {
      heartbeat.stop();
      view.removeEventListener('message', onMessage);
      endpoint.dispose();
      frame.remove();
    },
  };
}
