import { describe, expect, it } from 'vitest';
import { stepAction } from './next-step';

describe('next steps', () => {
  it('map to buttons by the typed step', () => {
    expect(stepAction('retry')).toEqual({ kind: 'retry', label: 'Retry' });
    expect(stepAction('add_profile')).toEqual({
      kind: 'navigate',
      label: 'Add profile',
      to: '/settings',
    });
    expect(stepAction('reload')?.kind).toBe('reload');
  });
  it('reach the connection the error was about', () => {
    expect(stepAction('open_connection', 'con 1')).toEqual({
      kind: 'navigate',
      label: 'Open connection',
      to: '/connections/con%201',
    });
    expect(stepAction('open_connection')).toBeNull();
    expect(stepAction('reauthorize', 'c1')).toMatchObject({ to: '/connect?reauthorize=c1' });
  });
  it('leave in-form steps to the form', () => {
    expect(stepAction('fix_input')).toBeNull();
    expect(stepAction('confirm')).toBeNull();
    expect(stepAction(null)).toBeNull();
  });
});
