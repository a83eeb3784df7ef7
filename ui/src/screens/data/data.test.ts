import { describe, expect, it } from 'vitest';
import { cellText, defaultColumns, emptyBrowse, isDeleted, move, toQuery } from './data';

describe('data browser', () => {
  it('builds the query from the form', () => {
    const q = toQuery({
      ...emptyBrowse(),
      entity: 'vendors',
      search: ' acme ',
      field: 'status',
      value: 'open',
      sort: { id: 'name', desc: true },
    });
    expect(q.search).toBe('acme');
    expect(q.include_deleted).toBe(true);
    expect(q.field_filters).toEqual([{ field: 'status', value: 'open' }]);
    expect(q.sort).toEqual({ field: 'name', descending: true });
    expect(toQuery({ ...emptyBrowse(), field: 'status' }).field_filters).toEqual([]);
  });
  it('shows cells as text and knows deleted records', () => {
    expect(cellText({ a: { b: 1 } }, 'a')).toBe('{"b":1}');
    expect(cellText({ a: null }, 'a')).toBe('');
    expect(isDeleted({ deleted_at: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(isDeleted({ deleted_at: null })).toBe(false);
  });
  it('moves and picks columns', () => {
    expect(move(['a', 'b', 'c'], 'b', -1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b'], 'a', -1)).toEqual(['a', 'b']);
    expect(defaultColumns(['created_at', 'x', 'name', 'id'])).toEqual(['id', 'name', 'x']);
  });
});
