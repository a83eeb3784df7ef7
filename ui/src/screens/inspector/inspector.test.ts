import { describe, expect, it } from 'vitest';
import type { ListedWebhook } from '$lib/platform';
import {
  arrivedOutOfOrder,
  emptyForm,
  headersToText,
  isFiltered,
  textToHeaders,
  toFilter,
} from './inspector';

function row(seq: number, created: string | null): ListedWebhook {
  return { seq, event_created_at: created } as ListedWebhook;
}

describe('inspector', () => {
  it('leaves blank fields out of the filter and turns a span into a start time', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const filter = toFilter({ ...emptyForm(), search: '  evt_1 ', since: '1h' }, now);
    expect(filter.search).toBe('evt_1');
    expect(filter.event_type).toBeNull();
    expect(filter.received_after).toBe('2026-12-02T11:00:00.000Z');
    expect(isFiltered(emptyForm())).toBe(false);
    expect(isFiltered({ ...emptyForm(), signature: 'invalid' })).toBe(true);
  });
  it('marks a row that arrived against created order', () => {
    const early = row(1, '2026-12-02T10:00:00Z');
    const late = row(2, '2026-12-02T09:00:00Z');
    // Newest arrival first: #2 then #1; #1 was created after #2, so #1 is out of order.
    expect(arrivedOutOfOrder(early, late, 'received_newest')).toBe(true);
    expect(arrivedOutOfOrder(late, undefined, 'received_newest')).toBe(false);
    // Newest created first: #1 (10:00) then #2 (09:00); #2 arrived after #1.
    expect(arrivedOutOfOrder(late, early, 'created_newest')).toBe(true);
    expect(arrivedOutOfOrder(row(3, null), early, 'received_oldest')).toBe(false);
  });
  it('reads headers back from the text it writes', () => {
    const headers: [string, string][] = [
      ['content-type', 'application/json'],
      ['x-note', 'a: b'],
    ];
    expect(textToHeaders(headersToText(headers))).toEqual(headers);
    expect(textToHeaders('\n bare \n')).toEqual([['bare', '']]);
  });
});
