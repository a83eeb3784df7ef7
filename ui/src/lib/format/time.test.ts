import { describe, expect, it } from 'vitest';
import { absoluteLocal, absoluteUtc, duration, relative, timeTitle } from './time';

const now = new Date('2026-12-02T13:00:00Z');

describe('relative times', () => {
  it('say just now within 45 seconds either way', () => {
    expect(relative('2026-12-02T12:59:20Z', now)).toBe('just now');
    expect(relative('2026-12-02T13:00:30Z', now)).toBe('just now');
  });
  it('count the largest whole unit in the past and the future', () => {
    expect(relative('2026-12-02T12:57:00Z', now)).toBe('3 min ago');
    expect(relative('2026-12-02T15:10:00Z', now)).toBe('in 2 h');
    expect(relative('2026-11-27T13:00:00Z', now)).toBe('5 d ago');
    expect(relative('2026-11-18T13:00:00Z', now)).toBe('2 w ago');
    expect(relative('2025-10-01T13:00:00Z', now)).toBe('1 y ago');
  });
  it('round 45-59 seconds to a minute', () => {
    expect(relative('2026-12-02T12:59:10Z', now)).toBe('1 min ago');
  });
  it('say never (or the given word) for no time or a bad one', () => {
    expect(relative(null, now)).toBe('never');
    expect(relative('', now, 'not scheduled')).toBe('not scheduled');
    expect(relative('yesterday-ish', now)).toBe('never');
  });
});

describe('absolute times', () => {
  it('print UTC the same way in every zone', () => {
    expect(absoluteUtc('2026-12-02T13:05:09.123Z')).toBe('2026-12-02 13:05:09 UTC');
    expect(absoluteUtc('2026-12-02T15:05:09+02:00')).toBe('2026-12-02 13:05:09 UTC');
  });
  it('print local time in the user zone', () => {
    expect(absoluteLocal('2026-12-02T13:05:09Z', 'Europe/Helsinki')).toBe('2 Dec 2026, 15:05');
    expect(absoluteLocal('2026-12-02T13:05:09Z', 'America/New_York')).toBe('2 Dec 2026, 08:05');
  });
  it('put both in the tooltip', () => {
    expect(timeTitle('2026-12-02T13:05:09Z', 'Asia/Tokyo')).toBe(
      '2 Dec 2026, 22:05 (your time) · 2026-12-02 13:05:09 UTC',
    );
    expect(timeTitle(null)).toBe('');
  });
});

describe('durations', () => {
  it('pick milliseconds, seconds or minutes', () => {
    expect(duration('2026-12-02T13:00:00Z', '2026-12-02T13:00:00.850Z')).toBe('850 ms');
    expect(duration('2026-12-02T13:00:00Z', '2026-12-02T13:00:12Z')).toBe('12 s');
    expect(duration('2026-12-02T13:00:00Z', '2026-12-02T13:03:04Z')).toBe('3 min 4 s');
    expect(duration('2026-12-02T13:00:00Z', '2026-12-02T13:05:00Z')).toBe('5 min');
    expect(duration('2026-12-02T13:00:00Z', null)).toBe('');
  });
});
