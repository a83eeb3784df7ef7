import type { DeskEvent } from './contract';

/** The event stream's state as the top bar shows it. */
export type StreamState = 'connecting' | 'live' | 'reconnecting';

export type EventListener = (event: DeskEvent) => void;
export type Unsubscribe = () => void;

/**
 * What each face (window or browser) implements. `invoke` rejects with an ActionFailure only.
 * `subscribe` resolves once the subscription is live, so a caller that awaits it before
 * starting an action cannot miss that action's first events (Yaak's rpcStream rule).
 */
export interface Transport {
  readonly kind: 'tauri' | 'browser';
  invoke(name: string, request: unknown): Promise<unknown>;
  subscribe(listener: EventListener): Promise<Unsubscribe>;
  onStreamState(listener: (state: StreamState) => void): Unsubscribe;
  /**
   * Paths the app asks to open from outside the page: the window's tray, a notification's
   * click, a second launch's `makini-desk://` link. A browser tab has no such outside.
   */
  onNavigate(listener: (path: string) => void): Promise<Unsubscribe>;
}
