// The overview's filters live outside the component, so coming back from a connection page
// finds the list as it was left.
import type { Sort } from '$lib/design/table';
import type { ConnectionSort, ConnectionsListRequest, Health } from '$lib/platform';

class OverviewFilters {
  search = $state('');
  health: Health[] = $state([]);
  customer: { id: string; name: string } | null = $state(null);
  sort: Sort | null = $state({ id: 'name', desc: false });

  get active(): boolean {
    return this.search.trim() !== '' || this.health.length > 0 || this.customer !== null;
  }

  /** The request for these filters (page fields apart). */
  request(): Omit<ConnectionsListRequest, 'offset' | 'limit'> {
    return {
      search: this.search.trim() || null,
      statuses: [],
      health: [...this.health],
      customer_id: this.customer?.id ?? null,
      // Column ids are the core's sort keys (DataTable columns are named after them).
      sort: (this.sort?.id ?? 'name') as ConnectionSort,
      descending: this.sort?.desc ?? false,
    };
  }

  clear(): void {
    this.search = '';
    this.health = [];
    this.customer = null;
  }

  toggle(key: Health): void {
    this.health = this.health.includes(key)
      ? this.health.filter((k) => k !== key)
      : [...this.health, key];
  }
}

export const filters = new OverviewFilters();
