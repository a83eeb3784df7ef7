// Browser mode: the page is served by `mdesk serve`, which also answers the actions on the same
// origin. The launch token became an HttpOnly session cookie; fetch and EventSource send it.
import type { DeskEvent } from './contract';
import { ActionFailure, CLIENT_CODE, clientError, isActionError, normalise } from './errors';
import type { EventListener, StreamState, Transport, Unsubscribe } from './transport';

type Fetch = typeof fetch;
type EventSourceFactory = (url: string) => EventSource;

export interface HttpOptions {
  fetch?: Fetch;
  eventSource?: EventSourceFactory;
  /** Waits before reopening a stream the server closed (EventSource gives up on a non-200). */
  reopenDelaysMs?: readonly number[];
}

const ACTIONS = '/api/actions/';
const EVENTS = '/api/events';
const REOPEN_DELAYS_MS = [1000, 2000, 5000, 10000, 30000] as const;

/** Turns one HTTP answer into the response value or an ActionFailure (exported for tests). */
export async function readAnswer(action: string, response: Response): Promise<unknown> {
  const requestId = response.headers.get('x-request-id');
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ActionFailure(
      action,
      clientError(
        CLIENT_CODE.badAnswer,
        `The app answered ${action} with HTTP ${response.status} and a body that is not JSON.`,
        { request_id: requestId, next_step: 'retry' },
      ),
    );
  }
  if (response.ok) return body;
  const error = (body as { error?: unknown } | null)?.error;
  if (isActionError(error)) throw new ActionFailure(action, normalise(error));
  throw new ActionFailure(
    action,
    clientError(
      CLIENT_CODE.badAnswer,
      `The app answered ${action} with HTTP ${response.status} but no error object.`,
      { request_id: requestId, next_step: 'retry' },
    ),
  );
}

export function createHttpTransport(options: HttpOptions = {}): Transport {
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const openSource: EventSourceFactory = options.eventSource ?? ((url) => new EventSource(url));
  const delays = options.reopenDelaysMs ?? REOPEN_DELAYS_MS;

  const listeners = new Set<EventListener>();
  const stateListeners = new Set<(state: StreamState) => void>();
  let state: StreamState = 'connecting';
  let source: EventSource | null = null;
  let failures = 0;
  let waiters: (() => void)[] = [];

  function setState(next: StreamState): void {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(state);
    if (state === 'live') {
      for (const resolve of waiters) resolve();
      waiters = [];
    }
  }

  // One stream for the whole page, opened with the first subscriber and kept: the top bar
  // shows its state, and reopening per screen would drop events between screens.
  function open(): void {
    const es = openSource(EVENTS);
    source = es;
    es.onopen = () => {
      failures = 0;
      setState('live');
    };
    es.onmessage = (message: MessageEvent<string>) => {
      let event: DeskEvent;
      try {
        event = JSON.parse(message.data) as DeskEvent;
      } catch {
        console.warn('desk event stream: a message that is not JSON was skipped', message.data);
        return;
      }
      for (const listener of listeners) listener(event);
    };
    es.onerror = () => {
      setState('reconnecting');
      // CONNECTING: the browser retries on its own. CLOSED: it gave up (a non-200 answer,
      // such as a restarted server); reopen on our own schedule.
      if (es.readyState === 2) {
        es.close();
        const delay = delays[Math.min(failures, delays.length - 1)] ?? 30000;
        failures += 1;
        setTimeout(open, delay);
      }
    };
  }

  return {
    kind: 'browser',
    async invoke(name, request) {
      let response: Response;
      try {
        response = await doFetch(ACTIONS + encodeURIComponent(name), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request ?? {}),
          credentials: 'same-origin',
        });
      } catch (thrown) {
        const reason = thrown instanceof Error ? thrown.message : String(thrown);
        throw new ActionFailure(
          name,
          clientError(CLIENT_CODE.unreachable, `Makini Desk did not answer (${reason}).`, {
            next_step: 'retry',
          }),
        );
      }
      return readAnswer(name, response);
    },
    subscribe(listener): Promise<Unsubscribe> {
      listeners.add(listener);
      if (!source) open();
      const unsubscribe = () => {
        listeners.delete(listener);
      };
      if (state === 'live') return Promise.resolve(unsubscribe);
      return new Promise((resolve) => waiters.push(() => resolve(unsubscribe)));
    },
    onNavigate() {
      return Promise.resolve(() => {});
    },
    onStreamState(listener) {
      stateListeners.add(listener);
      listener(state);
      if (!source) open();
      return () => {
        stateListeners.delete(listener);
      };
    },
  };
}
