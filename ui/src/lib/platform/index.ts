// The UI's only way to the app. Screens call `call(name, request)` and `subscribe(listener)`
// and never learn whether they run in the Tauri window or in a browser against `mdesk serve`.
import type { ActionName, ActionRequest, ActionResponse } from './contract';
import { asFailure } from './errors';
import { createHttpTransport } from './http';
import type { EventListener, StreamState, Transport, Unsubscribe } from './transport';

export { ActionFailure, CLIENT_CODE, type ClientCode, type UiError } from './errors';
export type { EventListener, StreamState, Transport, Unsubscribe } from './transport';
export type * from './contract';

/** Whether this page runs inside the Tauri window (Tauri defines this before any script). */
export function inTauri(scope: object = globalThis): boolean {
  return '__TAURI_INTERNALS__' in scope;
}

let active: Promise<Transport> | null = null;

/**
 * The active transport, chosen once. The Tauri one is a dynamic import: Vite emits it (with
 * @tauri-apps/api) as its own chunk that a browser never requests (checked by
 * scripts/check-dist.mjs and by the journeys).
 */
export function platform(): Promise<Transport> {
  active ??= inTauri()
    ? import('./tauri').then((m) => m.createTauriTransport())
    : Promise.resolve(createHttpTransport());
  return active;
}

/** Replaces the transport (tests only). */
export function usePlatform(transport: Transport): void {
  active = Promise.resolve(transport);
}

export async function call<K extends ActionName>(
  name: K,
  request: ActionRequest<K>,
): Promise<ActionResponse<K>> {
  const transport = await platform();
  try {
    return (await transport.invoke(name, request)) as ActionResponse<K>;
  } catch (thrown) {
    throw asFailure(name, thrown);
  }
}

/** Resolves once live: `await subscribe(...)` before calling the action whose events you want. */
export async function subscribe(listener: EventListener): Promise<Unsubscribe> {
  return (await platform()).subscribe(listener);
}

/** Paths to open that come from outside the page (the window's tray and notifications). */
export async function onNavigate(listener: (path: string) => void): Promise<Unsubscribe> {
  return (await platform()).onNavigate(listener);
}

export function onStreamState(listener: (state: StreamState) => void): Unsubscribe {
  let stop: Unsubscribe | null = null;
  let cancelled = false;
  void platform().then((t) => {
    if (!cancelled) stop = t.onStreamState(listener);
  });
  return () => {
    cancelled = true;
    stop?.();
  };
}
