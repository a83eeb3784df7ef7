// The data browser's pure logic: the query from the form, cells from records, column moves.
import type { RecordQuery } from '$lib/platform';

export interface BrowseForm {
  connectionIds: string[];
  entity: string | null;
  search: string;
  updatedAfter: string;
  field: string;
  value: string;
  includeDeleted: boolean;
  sort: { id: string; desc: boolean } | null;
}

export function emptyBrowse(): BrowseForm {
  return {
    connectionIds: [],
    entity: null,
    search: '',
    updatedAfter: '',
    field: '',
    value: '',
    includeDeleted: true,
    sort: null,
  };
}

export function toQuery(form: BrowseForm, profile: string | null = null): RecordQuery {
  return {
    profile,
    connection_id: null,
    connection_ids: form.connectionIds,
    entity: form.entity,
    search: form.search.trim() || null,
    include_deleted: form.includeDeleted,
    limit: 100,
    offset: 0,
    after: null,
    updated_after: form.updatedAfter ? new Date(form.updatedAfter).toISOString() : null,
    updated_before: null,
    field_filters: form.field && form.value ? [{ field: form.field, value: form.value }] : [],
    sort: form.sort ? { field: form.sort.id, descending: form.sort.desc } : null,
  };
}

/** A field's value as one line of text: nested values as JSON, absent and null empty. */
export function cellText(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function isDeleted(record: Record<string, unknown>): boolean {
  return record['deleted_at'] !== undefined && record['deleted_at'] !== null;
}

/** `columns` with `field` moved one place left (-1) or right (+1). */
export function move(columns: string[], field: string, by: -1 | 1): string[] {
  const at = columns.indexOf(field);
  const to = at + by;
  if (at < 0 || to < 0 || to >= columns.length) return columns;
  const next = [...columns];
  [next[at], next[to]] = [next[to]!, next[at]!];
  return next;
}

/** The columns shown first: id, the name-like fields, status, the times; at most `max`. */
export function defaultColumns(fields: string[], max = 7): string[] {
  const preferred = ['id', 'name', 'number', 'title', 'status', 'updated_at', 'deleted_at'];
  const first = preferred.filter((f) => fields.includes(f));
  const rest = fields.filter((f) => !first.includes(f) && f !== 'created_at');
  return [...first, ...rest].slice(0, max);
}
