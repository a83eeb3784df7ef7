// The overview's filters live outside the component, so coming back from a connection page
// finds the list as it was left.
import type { HealthKey } from '$lib/health';
import type { Sort } from '$lib/design/table';

class OverviewFilters {
  search = $state('');
  health: HealthKey[] = $state([]);
  customer: { id: string; name: string } | null = $state(null);
  sort: Sort | null = $state({ id: 'health', desc: false });

  get active(): boolean {
    return this.search.trim() !== '' || this.health.length > 0 || this.customer !== null;
  }

  clear(): void {
    this.search = '';
    this.health = [];
    this.customer = null;
  }

  toggle(key: HealthKey): void {
    this.health = this.health.includes(key)
      ? this.health.filter((k) => k !== key)
      : [...this.health, key];
  }
}

export const filters = new OverviewFilters();
