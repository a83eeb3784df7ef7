// Screens that show connections follow the core's changes: a helper that subscribes for the
// component's lifetime and calls back (debounced) when an event concerns what it shows.
import { subscribe, type DeskEvent } from '$lib/platform';

/** Inside a component: `$effect(() => onEvents(match, refresh))`. Returns the cleanup. */
export function onEvents(
  matches: (event: DeskEvent) => boolean,
  then: () => void,
  debounceMs = 400,
): () => void {
  let stop: (() => void) | null = null;
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  void subscribe((event) => {
    if (!matches(event)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(then, debounceMs);
  }).then((unsubscribe) => {
    if (cancelled) unsubscribe();
    else stop = unsubscribe;
  });
  return () => {
    cancelled = true;
    if (timer) clearTimeout(timer);
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
