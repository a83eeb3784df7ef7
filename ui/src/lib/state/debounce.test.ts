import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounced } from './debounce';

describe('debounced', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once after a quiet wait', () => {
    const then = vi.fn();
    const d = debounced(then, 200, 2000);
    d.poke();
    vi.advanceTimersByTime(100);
    d.poke();
    vi.advanceTimersByTime(199);
    expect(then).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(then).toHaveBeenCalledTimes(1);
  });

  it('still runs every max wait while pokes keep coming', () => {
    const then = vi.fn();
    const d = debounced(then, 200, 2000);
    for (let t = 0; t < 5000; t += 100) {
      d.poke();
      vi.advanceTimersByTime(100);
    }
    // A plain debounce would not have run at all yet.
    expect(then).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(200);
    expect(then).toHaveBeenCalledTimes(3);
  });

  it('runs nothing once cancelled', () => {
    const then = vi.fn();
    const d = debounced(then, 200, 2000);
    d.poke();
    d.cancel();
    vi.advanceTimersByTime(5000);
    expect(then).not.toHaveBeenCalled();
  });
});
