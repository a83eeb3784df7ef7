import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock } from './clock.svelte';

afterEach(() => vi.useRealTimers());

describe('the shared clock', () => {
  it('catches up when a screen with times comes back after none showed one', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-07T12:00:00Z'));
    const release = clock.use();
    expect(clock.now.toISOString()).toBe('2026-12-07T12:00:00.000Z');
    vi.advanceTimersByTime(20_000);
    expect(clock.now.toISOString()).toBe('2026-12-07T12:00:20.000Z');
    release();

    // Five minutes on another screen: no timer ran, and the next user must not see 12:00:20.
    vi.setSystemTime(new Date('2026-12-07T12:05:20Z'));
    const again = clock.use();
    expect(clock.now.toISOString()).toBe('2026-12-07T12:05:20.000Z');
    again();
  });
});
