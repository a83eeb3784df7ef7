// A small runes wrapper over @tanstack/virtual-core (the svelte-virtual adapter is store-based
// and has open Svelte 5 issues). The virtualizer computes which rows are in view; a `version`
// rune bumped from its onChange makes the getters below reactive.
import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
  type VirtualItem,
  type VirtualizerOptions,
} from '@tanstack/virtual-core';
import { untrack } from 'svelte';

export interface VirtualRowsOptions {
  count: number;
  rowHeight: number;
  overscan?: number;
}

type Options = VirtualizerOptions<HTMLElement, HTMLElement>;

/** The options a virtualizer over an element needs; `overrides` lets tests fake the DOM. */
export function virtualOptions(
  o: VirtualRowsOptions,
  getScrollElement: () => HTMLElement | null,
  onChange: () => void,
  overrides: Partial<Options> = {},
): Options {
  return {
    count: o.count,
    estimateSize: () => o.rowHeight,
    overscan: o.overscan ?? 8,
    getScrollElement,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange,
    ...overrides,
  };
}

export class VirtualRows {
  element: HTMLElement | null = $state(null);
  private version = $state(0);
  // `version++` reads before it writes; untracked, so an effect that bumps it does not come
  // to depend on it and re-run itself.
  private bump = () => untrack(() => this.version++);
  readonly virtualizer: Virtualizer<HTMLElement, HTMLElement>;

  /** `options` is read inside an effect, so counts that change re-window the list. */
  constructor(options: () => VirtualRowsOptions) {
    this.virtualizer = new Virtualizer(virtualOptions(options(), () => this.element, this.bump));
    $effect(() => {
      const next = virtualOptions(options(), () => this.element, this.bump);
      this.virtualizer.setOptions(next);
      this.virtualizer._willUpdate();
      this.bump();
    });
    $effect(() => {
      if (!this.element) return;
      const cleanup = this.virtualizer._didMount();
      this.virtualizer._willUpdate();
      return cleanup;
    });
  }

  get items(): VirtualItem[] {
    void this.version;
    return this.virtualizer.getVirtualItems();
  }

  get totalSize(): number {
    void this.version;
    return this.virtualizer.getTotalSize();
  }

  /** First and last index in view (overscan included); [0, -1] when nothing is. */
  get range(): [number, number] {
    const items = this.items;
    if (items.length === 0) return [0, -1];
    return [items[0]!.index, items[items.length - 1]!.index];
  }

  scrollToIndex(index: number): void {
    this.virtualizer.scrollToIndex(index, { align: 'auto' });
  }
}
