import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionFailure } from '$lib/platform';
import ErrorPanel from './ErrorPanel.svelte';
import StatusDot from './StatusDot.svelte';

afterEach(cleanup);

describe('ErrorPanel', () => {
  it('shows code, message and request id, and a button from next_step', async () => {
    let retried = 0;
    const error = new ActionFailure('connections_list', {
      code: 'RATE_LIMIT_EXCEEDED',
      message: 'Too many requests.',
      request_id: 'req_42',
      next_step: 'retry',
      retry_after_seconds: 5,
    });
    render(ErrorPanel, { error, title: 'The list could not be loaded', onretry: () => retried++ });
    expect(screen.getByRole('alert')).toBeTruthy();
    expect(screen.getByText('RATE_LIMIT_EXCEEDED')).toBeTruthy();
    expect(screen.getByText('Too many requests.')).toBeTruthy();
    expect(screen.getByText('req_42')).toBeTruthy();
    expect(screen.getByText('5 s before retrying')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retried).toBe(1);
  });
  it('offers no button when the step has nothing to do here', () => {
    const error = new ActionFailure('x', {
      code: 'INVALID_INPUT',
      message: 'bad',
      request_id: null,
      next_step: 'fix_input',
      retry_after_seconds: null,
    });
    render(ErrorPanel, { error, title: 'Bad' });
    expect(screen.queryByRole('button', { name: /Retry|Open/ })).toBeNull();
  });
});

describe('StatusDot', () => {
  it('says its state in words, not color alone', () => {
    render(StatusDot, { tone: 'red', label: 'Offline' });
    expect(screen.getByText('Offline')).toBeTruthy();
  });
});
