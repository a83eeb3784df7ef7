import { describe, expect, it } from 'vitest';
import { compactCount, count, credits, percent, plural, tier, words } from './numbers';

describe('numbers', () => {
  it('format credits with the right plural', () => {
    expect(credits(1)).toBe('1 credit');
    expect(credits(-1)).toBe('-1 credit');
    expect(credits(0)).toBe('0 credits');
    expect(credits(12000)).toBe('12,000 credits');
  });
  it('group thousands and compact large counts', () => {
    expect(count(50000)).toBe('50,000');
    expect(count(null)).toBe('—');
    expect(compactCount(9999)).toBe('9,999');
    expect(compactCount(1234567)).toBe('1.2M');
  });
  it('take percent of an empty pool as zero', () => {
    expect(percent(3, 0)).toBe(0);
    expect(percent(1, 3)).toBe(33);
  });
  it('name tiers in roman numerals', () => {
    expect(tier(1)).toBe('Tier I');
    expect(tier(3)).toBe('Tier III');
    expect(tier(null)).toBe('—');
    expect(tier(7)).toBe('—');
  });
  it('turn ids into words', () => {
    expect(words('purchase_orders')).toBe('Purchase orders');
    expect(words('sync.completed')).toBe('Sync completed');
    expect(plural(1, 'record')).toBe('1 record');
    expect(plural(2, 'entity', 'entities')).toBe('2 entities');
  });
});
