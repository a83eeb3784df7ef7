// Screens that show connections follow the core's changes: a helper that subscribes for the
// component's lifetime and calls back (debounced) when an event concerns what it shows.
import { subscribe, type DeskEvent } from '$lib/platform';
import { debounced } from './debounce';

/** The longest a screen following the stream stays stale while events keep coming. */
const MAX_WAIT_MS = 2000;

/** Inside a component: `$effect(() => onEvents(match, refresh))`. Returns the cleanup. The
 * callback runs after a quiet `debounceMs`, and at least every `MAX_WAIT_MS` while matching
 * events keep coming. */
export function onEvents(
  matches: (event: DeskEvent) => boolean,
  then: () => void,
  debounceMs = 400,
): () => void {
  let stop: (() => void) | null = null;
  let cancelled = false;
  const refresh = debounced(then, debounceMs, MAX_WAIT_MS);
  void subscribe((event) => {
    if (matches(event)) refresh.poke();
  }).then((unsubscribe) => {
    if (cancelled) unsubscribe();
    else stop = unsubscribe;
  });
  return () => {
    cancelled = true;
    refresh.cancel();
    stop?.();
  };
}

/** Events after which a list of connections may be out of date. */
export function changesConnections(event: DeskEvent): boolean {
  return (
    event.type === 'connection_changed' ||
    event.type === 'connection_health_changed' ||
    event.type === 'sync_directory_done' ||
    event.type === 'profile_switched'
  );
}

/** Events that concern one connection. */
export function changesConnection(id: string): (event: DeskEvent) => boolean {
  return (event) =>
    (event.type === 'connection_changed' && event.connection.id === id) ||
    (event.type === 'connection_health_changed' && event.change.connection_id === id);
}
