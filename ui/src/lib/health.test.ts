import { describe, expect, it } from 'vitest';
import {
  HEALTH_KEYS,
  healthInfo,
  holdsCredits,
  severityTone,
  statusLabel,
  statusTone,
} from './health';

describe('health', () => {
  it('colors broken connections red and waiting ones amber', () => {
    expect(healthInfo('needs_reauthorization')).toMatchObject({
      tone: 'red',
      label: 'Reauthorize',
    });
    expect(healthInfo('offline').tone).toBe('red');
    expect(healthInfo('pending').tone).toBe('amber');
    expect(healthInfo('healthy').tone).toBe('green');
    expect(healthInfo('inactive').tone).toBe('gray');
    expect(healthInfo('disconnected').tone).toBe('gray');
  });
  it('offers every health as a chip, what needs someone first', () => {
    expect(HEALTH_KEYS).toHaveLength(6);
    expect(HEALTH_KEYS.slice(0, 2)).toEqual(['needs_reauthorization', 'offline']);
  });
  it('labels and colors statuses, and knows which hold credits', () => {
    expect(statusLabel('in_progress')).toBe('In progress');
    expect(statusTone('overage')).toBe('violet');
    expect(statusTone('synchronizing')).toBe('blue');
    expect(holdsCredits('overage')).toBe(true);
    expect(holdsCredits('inactive')).toBe(false);
    expect(holdsCredits('pending')).toBe(false);
  });
  it('maps the core severities onto the same colors', () => {
    expect(severityTone('broken')).toBe('red');
    expect(severityTone('attention')).toBe('amber');
    expect(severityTone('good')).toBe('green');
    expect(severityTone('neutral')).toBe('gray');
  });
});
