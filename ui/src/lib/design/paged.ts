// Rows fetched a page at a time as the virtual window moves, so the overview never holds more
// than the pages someone scrolled through (50k connections would not fit). A new query bumps
// the generation and drops every page; answers of an older generation are ignored.

/** The pages covering rows `start..=end`, for pages of `size`. */
export function pagesFor(start: number, end: number, size: number): number[] {
  if (end < start || size <= 0) return [];
  const first = Math.floor(Math.max(0, start) / size);
  const last = Math.floor(end / size);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

export interface Page<T> {
  rows: T[];
  total: number;
}

export type PageLoader<T> = (offset: number, limit: number) => Promise<Page<T>>;

export class PagedRows<T> {
  private pages = new Map<number, T[]>();
  private inFlight = new Set<number>();
  private generation = 0;
  total: number | null = null;
  error: unknown = null;

  constructor(
    private load: PageLoader<T>,
    readonly pageSize = 100,
    private onChange: () => void = () => {},
    /** How many pages to keep; the farthest from the window are dropped first. */
    private maxPages = 20,
  ) {}

  /** Drops everything and loads page 0 for a new query. */
  reset(load?: PageLoader<T>): Promise<void> {
    if (load) this.load = load;
    this.generation++;
    this.pages.clear();
    this.inFlight.clear();
    this.total = null;
    this.error = null;
    this.onChange();
    return this.ensure(0, this.pageSize - 1);
  }

  /**
   * Fetches the loaded pages again, keeping them on screen until the new ones arrive (a live
   * change elsewhere: no flash of skeletons, no jump of the scroll position).
   */
  async refresh(): Promise<void> {
    this.generation++;
    this.inFlight.clear();
    const pages = this.loadedPages;
    await Promise.all((pages.length ? pages : [0]).map((p) => this.fetch(p, p * this.pageSize)));
  }

  row(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  get loadedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }

  /** Fetches the pages of `start..=end` not loaded or loading yet. */
  async ensure(start: number, end: number): Promise<void> {
    const last = this.total == null ? end : Math.min(end, this.total - 1);
    const wanted = pagesFor(start, last, this.pageSize).filter(
      (p) => !this.pages.has(p) && !this.inFlight.has(p),
    );
    await Promise.all(wanted.map((p) => this.fetch(p, start)));
  }

  private async fetch(page: number, near: number): Promise<void> {
    const generation = this.generation;
    this.inFlight.add(page);
    try {
      const answer = await this.load(page * this.pageSize, this.pageSize);
      if (generation !== this.generation) return;
      this.pages.set(page, answer.rows);
      this.total = answer.total;
      this.error = null;
      this.evict(Math.floor(near / this.pageSize));
    } catch (thrown) {
      if (generation !== this.generation) return;
      this.error = thrown;
    } finally {
      if (generation === this.generation) {
        this.inFlight.delete(page);
        this.onChange();
      }
    }
  }

  private evict(center: number): void {
    if (this.pages.size <= this.maxPages) return;
    const byDistance = [...this.pages.keys()].sort(
      (a, b) => Math.abs(b - center) - Math.abs(a - center),
    );
    for (const page of byDistance.slice(0, this.pages.size - this.maxPages))
      this.pages.delete(page);
  }
}
