// The desktop window: actions are Tauri commands of the same names taking `{ request }`, and
// the core's events arrive as the `desk-event` Tauri event. Loaded only inside the window
// (index.ts imports this file dynamically), so the browser build never fetches it.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { DeskEvent } from './contract';
import { ActionFailure, CLIENT_CODE, clientError, isActionError, normalise } from './errors';
import type { Transport } from './transport';

/**
 * The window's own commands beside the actions (the updater's): same `{ code, message }`
 * errors, but no request wrapper and nothing a browser could answer.
 */
export async function shellCommand<T>(name: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(name, args);
  } catch (thrown) {
    if (isActionError(thrown)) throw new ActionFailure(name, normalise(thrown));
    throw new ActionFailure(name, clientError(CLIENT_CODE.badAnswer, String(thrown)));
  }
}

export function createTauriTransport(): Transport {
  return {
    kind: 'tauri',
    async invoke(name, request) {
      try {
        return await invoke(name, { request: request ?? {} });
      } catch (thrown) {
        if (isActionError(thrown)) throw new ActionFailure(name, normalise(thrown));
        // Tauri itself rejects with a string (an unknown command, a denied capability).
        throw new ActionFailure(name, clientError(CLIENT_CODE.badAnswer, String(thrown)));
      }
    },
    async subscribe(listener) {
      // `listen` resolves once the core's side is registered: the subscription is live.
      return listen<DeskEvent>('desk-event', (event) => listener(event.payload));
    },
    async onNavigate(listener) {
      return listen<string>('desk-navigate', (event) => listener(event.payload));
    },
    onStreamState(listener) {
      // In-process events do not drop; the window's stream is always live.
      listener('live');
      return () => {};
    },
  };
}
