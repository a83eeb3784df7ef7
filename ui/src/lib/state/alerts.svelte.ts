// The navigation's open-alert count: read once, then kept live from the event stream (every
// alert change carries the count after it).
import { call, subscribe, type AlertsListRequest } from '$lib/platform';

/** A full list request from the few fields a caller sets. */
export function listRequest(over: Partial<AlertsListRequest> = {}): AlertsListRequest {
  return {
    states: [],
    all: false,
    kinds: [],
    customer_id: null,
    connection_id: null,
    min_age_hours: null,
    newest_first: false,
    limit: null,
    ...over,
  };
}

class AlertCount {
  open: number | null = $state(null);
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    void subscribe((event) => {
      if (event.type === 'alert_changed') this.open = event.open_count;
      else if (event.type === 'profile_switched') void this.load();
    });
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.open = (await call('alerts_list', listRequest({ limit: 1 }))).open_count;
    } catch {
      // The count is a hint: the alerts screen shows the error itself.
      this.open = null;
    }
  }
}

export const alertCount = new AlertCount();
