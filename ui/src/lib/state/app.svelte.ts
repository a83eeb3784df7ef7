// What the top bar shows on every screen: the active profile, whether its platform answers,
// and whether the event stream is live.
import { call, onStreamState, subscribe, type AppStatus, type StreamState } from '$lib/platform';

class AppState {
  status: AppStatus | null = $state(null);
  error: unknown = $state(null);
  stream: StreamState = $state('connecting');
  /** Bumped when the stream comes back after a gap: screens reload what they show. */
  resumed = $state(0);
  private started = false;
  /** The next probe of a local engine that is still opening (one at a time). */
  private retry: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.started) return;
    this.started = true;
    let seenLive = false;
    onStreamState((state) => {
      if (state === 'live' && seenLive && this.stream === 'reconnecting') {
        this.resumed++;
        void this.load();
      }
      if (state === 'live') seenLive = true;
      this.stream = state;
    });
    // Whether a sync is listing the account changes with the sync, not with the stream. A
    // listing that finished also means the platform answered: ask again, so a probe that
    // timed out while a local engine was still seeding does not say "Unreachable" for good.
    void subscribe((event) => {
      if (event.type === 'sync_started') void this.refresh();
      if (event.type === 'sync_directory_done' || event.type === 'sync_finished') void this.load();
    });
    void this.load();
  }

  /** What the mirror knows, without asking the platform again. */
  async refresh(): Promise<void> {
    try {
      const status = await call('app_status', { probe: false });
      // Keep the reach the last probe found: an unprobed answer does not know it.
      this.status = this.status ? { ...status, platform: this.status.platform } : status;
      this.error = null;
    } catch (thrown) {
      this.error = thrown;
    }
  }

  /** What the mirror knows at once, then whether the platform answers now (slower). */
  async load(): Promise<void> {
    for (const probe of [false, true]) {
      try {
        this.status = await call('app_status', { probe });
        this.error = null;
      } catch (thrown) {
        this.error = thrown;
        return;
      }
    }
    // A local engine that is still opening answers in a while: ask again until it does.
    if (this.status?.platform.state === 'starting' && this.retry === null) {
      this.retry = setTimeout(() => {
        this.retry = null;
        void this.load();
      }, 5000);
    }
  }
}

export const app = new AppState();
