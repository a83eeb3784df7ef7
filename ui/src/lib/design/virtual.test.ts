import { Virtualizer } from '@tanstack/virtual-core';
import { describe, expect, it } from 'vitest';
import { virtualOptions } from './virtual.svelte';

// The window math with the real virtualizer and a faked viewport: jsdom has no layout.
function windowAt(offset: number, count = 50000, height = 360) {
  const scroller = document.createElement('div');
  const v = new Virtualizer(
    virtualOptions(
      { count, rowHeight: 36, overscan: 4 },
      () => scroller,
      () => {},
      {
        observeElementRect: (_i, cb) => {
          cb({ width: 1000, height });
          return () => {};
        },
        observeElementOffset: (_i, cb) => {
          cb(offset, false);
          return () => {};
        },
      },
    ),
  );
  const cleanup = v._didMount();
  v._willUpdate();
  const items = v.getVirtualItems();
  cleanup();
  return { items, total: v.getTotalSize() };
}

describe('virtual rows', () => {
  it('size the spacer for every row without rendering them', () => {
    expect(windowAt(0).total).toBe(50000 * 36);
  });
  it('render only the rows in view plus overscan', () => {
    const { items } = windowAt(0);
    expect(items[0]?.index).toBe(0);
    expect(items.length).toBe(10 + 4);
  });
  it('follow the scroll offset deep into the list', () => {
    const { items } = windowAt(36000);
    expect(items[0]?.index).toBe(1000 - 4);
    expect(items[items.length - 1]?.index).toBe(1009 + 4);
    expect(items[4]?.start).toBe(36000);
  });
  it('render nothing for an empty list', () => {
    expect(windowAt(0, 0).items).toEqual([]);
  });
});
