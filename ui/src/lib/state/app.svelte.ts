// What the top bar shows on every screen: the active profile, whether its platform answers,
// and whether the event stream is live.
import { call, onStreamState, type AppStatus, type StreamState } from '$lib/platform';

class AppState {
  status: AppStatus | null = $state(null);
  error: unknown = $state(null);
  stream: StreamState = $state('connecting');
  /** Bumped when the stream comes back after a gap: screens reload what they show. */
  resumed = $state(0);
  private started = false;

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
    void this.load();
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
  }
}

export const app = new AppState();
