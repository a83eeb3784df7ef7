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

/** A column of SortTable: its rows are all in hand and sorted, and exported, by `value`. */
export interface SortColumn<R> {
  id: string;
  header: string;
  /** What the column sorts on and exports. */
  value: (row: R) => string | number | null;
  /** How the cell shows (the value as text when absent). */
  cell?: Snippet<[R]>;
  align?: 'right';
  /** A CSS width for the column ('30%', '120px'). */
  width?: string;
}
