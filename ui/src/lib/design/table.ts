import type { Snippet } from 'svelte';

/** One column as a screen describes it; DataTable turns these into TanStack column defs. */
export interface TableColumn<T> {
  id: string;
  header: string;
  /** A CSS grid track: '120px', 'minmax(160px, 2fr)'. */
  width: string;
  align?: 'right';
  sortable?: boolean;
  cell: Snippet<[T]>;
}

export interface Sort {
  id: string;
  desc: boolean;
}
