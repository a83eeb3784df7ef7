import { describe, expect, it } from 'vitest';
import { healthOf, holdsCredits, statusLabel, statusTone } from './health';

const base = { status: 'active' as const, online: true, reauthorization_required: false };

describe('health', () => {
  it('is healthy when active, online and authorized', () => {
    expect(healthOf(base)).toMatchObject({ key: 'healthy', tone: 'green' });
  });
  it('puts reauthorization first, in red, even while active or syncing', () => {
    expect(healthOf({ ...base, reauthorization_required: true, online: false }).key).toBe(
      'reauthorization',
    );
    expect(
      healthOf({ ...base, status: 'in_progress', reauthorization_required: true }),
    ).toMatchObject({ key: 'reauthorization', tone: 'red' });
  });
  it('shows an offline system in red', () => {
    expect(healthOf({ ...base, online: false })).toMatchObject({ key: 'offline', tone: 'red' });
  });
  it('shows running syncs in blue and overage in violet', () => {
    expect(healthOf({ ...base, status: 'synchronizing' }).tone).toBe('blue');
    expect(healthOf({ ...base, status: 'overage' })).toMatchObject({
      key: 'overage',
      tone: 'violet',
    });
  });
  it('does not call ended or unpaid connections broken', () => {
    const off = { online: false, reauthorization_required: true };
    expect(healthOf({ ...off, status: 'disconnected' }).tone).toBe('gray');
    expect(healthOf({ ...off, status: 'inactive' }).tone).toBe('gray');
    expect(healthOf({ ...off, status: 'pending' })).toMatchObject({
      key: 'pending',
      tone: 'amber',
    });
  });
  it('labels and colors statuses, and knows which hold credits', () => {
    expect(statusLabel('in_progress')).toBe('In progress');
    expect(statusTone('overage')).toBe('violet');
    expect(holdsCredits('overage')).toBe(true);
    expect(holdsCredits('inactive')).toBe(false);
    expect(holdsCredits('pending')).toBe(false);
  });
});
