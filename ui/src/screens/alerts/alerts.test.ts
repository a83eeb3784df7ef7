import { describe, expect, it } from 'vitest';
import type { AlertView } from '$lib/platform';
import { acknowledgeable, age, customersOf } from './alerts';

function view(id: string, over: Partial<AlertView> = {}): AlertView {
  return {
    id,
    profile: 'local',
    kind: 'reauthorization_required',
    connection_id: `conn_${id}`,
    customer_id: null,
    system_id: null,
    state: 'open',
    opened_at: '2026-12-02T10:00:00Z',
    updated_at: '2026-12-02T10:00:00Z',
    resolved_at: null,
    resolution: null,
    sources: ['poll'],
    detail: null,
    acknowledged_by: null,
    acknowledged_at: null,
    notified_at: null,
    notified_via: null,
    snoozed_until: null,
    in_maintenance: false,
    reauthorized_at: null,
    last_check_at: null,
    last_check_ok: null,
    last_check_message: null,
    notice_link: null,
    notice_link_expires_at: null,
    age_seconds: 60,
    escalated: false,
    snoozed: false,
    connection_name: null,
    customer_name: null,
    ...over,
  };
}

describe('alerts', () => {
  it('say ages in the largest whole unit', () => {
    expect(age(59)).toBe('0m');
    expect(age(3599)).toBe('59m');
    expect(age(7200)).toBe('2h');
    expect(age(3 * 86400 + 5)).toBe('3d');
  });
  it('list each customer once, by name', () => {
    const list = customersOf([
      view('a', { customer_id: 'cus_2', customer_name: 'Zeta' }),
      view('b', { customer_id: 'cus_1', customer_name: 'Acme' }),
      view('c', { customer_id: 'cus_2', customer_name: 'Zeta' }),
      view('d'),
    ]);
    expect(list).toEqual([
      { id: 'cus_1', name: 'Acme' },
      { id: 'cus_2', name: 'Zeta' },
    ]);
  });
  it('acknowledge in bulk only what is neither resolved nor acknowledged', () => {
    const alerts = [
      view('a'),
      view('b', { state: 'resolved' }),
      view('c', { acknowledged_at: '2026-12-02T11:00:00Z', state: 'acknowledged' }),
      view('d'),
    ];
    expect(acknowledgeable(alerts, new Set(['a', 'b', 'c']))).toEqual(['a']);
  });
});
