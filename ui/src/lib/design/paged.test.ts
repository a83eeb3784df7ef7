import { describe, expect, it } from 'vitest';
import { PagedRows, pagesFor, type Page } from './paged';

function source(total: number) {
  const calls: [number, number][] = [];
  const load = async (offset: number, limit: number): Promise<Page<number>> => {
    calls.push([offset, limit]);
    const rows: number[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(i);
    return { rows, total };
  };
  return { calls, load };
}

describe('pages for a window', () => {
  it('cover the window and nothing else', () => {
    expect(pagesFor(0, 99, 100)).toEqual([0]);
    expect(pagesFor(95, 105, 100)).toEqual([0, 1]);
    expect(pagesFor(250, 420, 100)).toEqual([2, 3, 4]);
    expect(pagesFor(-5, 3, 100)).toEqual([0]);
    expect(pagesFor(0, -1, 100)).toEqual([]);
  });
});

describe('paged rows', () => {
  it('load only the pages in view, once each', async () => {
    const { calls, load } = source(50000);
    const rows = new PagedRows(load, 100);
    await rows.reset();
    await rows.ensure(30000, 30040);
    await rows.ensure(30010, 30050);
    expect(calls).toEqual([
      [0, 100],
      [30000, 100],
    ]);
    expect(rows.total).toBe(50000);
    expect(rows.row(30042)).toBe(30042);
    expect(rows.row(5000)).toBeUndefined();
  });
  it('never ask past the end once the total is known', async () => {
    const { calls, load } = source(130);
    const rows = new PagedRows(load, 100);
    await rows.reset();
    await rows.ensure(0, 1000);
    expect(calls).toEqual([
      [0, 100],
      [100, 100],
    ]);
  });
  it('ignore answers of a query that was replaced', async () => {
    let release: (page: Page<string>) => void = () => {};
    const slow = () => new Promise<Page<string>>((resolve) => (release = resolve));
    const rows = new PagedRows<string>(slow, 10);
    const first = rows.reset();
    const fast = async () => ({ rows: ['new'], total: 1 });
    await rows.reset(fast);
    release({ rows: ['stale'], total: 1 });
    await first;
    expect(rows.row(0)).toBe('new');
  });
  it('keep at most maxPages, dropping the farthest from the window', async () => {
    const { load } = source(10000);
    const rows = new PagedRows(load, 10, () => {}, 3);
    await rows.reset();
    await rows.ensure(10, 19);
    await rows.ensure(20, 29);
    await rows.ensure(30, 39);
    expect(rows.loadedPages).toEqual([1, 2, 3]);
  });
  it('refresh loaded pages in place, keeping the old rows until the new ones arrive', async () => {
    let version = 1;
    const load = async (offset: number, limit: number): Promise<Page<string>> => ({
      rows: Array.from({ length: limit }, (_, i) => `v${version}:${offset + i}`),
      total: 1000,
    });
    const rows = new PagedRows(load, 10);
    await rows.reset();
    await rows.ensure(500, 509);
    version = 2;
    const pending = rows.refresh();
    expect(rows.row(505)).toBe('v1:505');
    await pending;
    expect(rows.row(505)).toBe('v2:505');
    expect(rows.row(3)).toBe('v2:3');
  });
  it('keep the error of a failed page for the screen to show', async () => {
    const rows = new PagedRows<number>(() => Promise.reject(new Error('down')), 10);
    await rows.reset();
    expect((rows.error as Error).message).toBe('down');
    expect(rows.total).toBeNull();
  });
});
