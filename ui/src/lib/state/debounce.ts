// A trailing debounce that still fires during a steady stream: a screen following the event
// stream reloads once things settle, but at least every `maxWaitMs` while events keep coming
// (a big account's first sync sends alerts and connection changes for a minute, and a plain
// debounce would hold the screen stale until the last one).

export interface Debounced {
  /** Something changed: run the callback after a quiet `waitMs`, or `maxWaitMs` at the latest. */
  poke(): void;
  cancel(): void;
}

export function debounced(then: () => void, waitMs: number, maxWaitMs: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstPokeAt: number | null = null;
  const fire = () => {
    timer = null;
    firstPokeAt = null;
    then();
  };
  return {
    poke() {
      const now = Date.now();
      firstPokeAt ??= now;
      if (timer) clearTimeout(timer);
      const latest = firstPokeAt + maxWaitMs - now;
      timer = setTimeout(fire, Math.max(0, Math.min(waitMs, latest)));
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      firstPokeAt = null;
    },
  };
}
