// System names for ids: connection rows carry only `system_id`. The catalog is small (tens of
// systems) and changes rarely, so it is read once and shared.
import { call, type System } from '$lib/platform';

class CatalogState {
  systems: Map<string, System> = $state(new Map());
  private loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.loading ??= call('systems_list', {})
      .then((c) => {
        this.systems = new Map(c.systems.map((s) => [s.id, s]));
      })
      .catch((thrown: unknown) => {
        // Names fall back to ids; a later screen may try again.
        console.warn('systems_list failed; showing system ids', thrown);
        this.loading = null;
      });
    return this.loading;
  }

  /** What a connection of `id` deployed as `deployment` costs, once the catalog is read. */
  cost(id: string | null, deployment: string | null): number | null {
    const system = id ? this.systems.get(id) : undefined;
    if (!system || !deployment) return null;
    return (system.credits as Record<string, number | undefined>)[deployment] ?? null;
  }

  name(id: string | null): string {
    if (!id) return '—';
    return this.systems.get(id)?.name ?? id;
  }
}

export const catalog = new CatalogState();
