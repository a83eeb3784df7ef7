import { afterEach, describe, expect, it, vi } from 'vitest';

// The Tauri API is replaced: these tests check which transport is chosen and how its answers
// are mapped, not Tauri itself.
const invoke = vi.fn();
const listen = vi.fn(async () => () => {});
vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

afterEach(() => {
  delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
  vi.resetModules();
  invoke.mockReset();
});

describe('platform selection', () => {
  it('uses HTTP in a browser', async () => {
    const { platform } = await import('./index');
    expect((await platform()).kind).toBe('browser');
  });
  it('loads the Tauri transport inside the window', async () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    const { platform } = await import('./index');
    expect((await platform()).kind).toBe('tauri');
  });
});

describe('tauri transport', () => {
  it('passes the request as { request } and maps an ActionError', async () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    const { call, ActionFailure } = await import('./index');
    invoke.mockResolvedValueOnce({ online: true });
    await expect(call('app_status', { probe: false })).resolves.toEqual({ online: true });
    expect(invoke).toHaveBeenCalledWith('app_status', { request: { probe: false } });

    invoke.mockRejectedValueOnce({
      code: 'VAULT_LOCKED',
      message: 'locked',
      next_step: 'unlock_vault',
    });
    const failure = await call('app_status', { probe: false }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect((failure as InstanceType<typeof ActionFailure>).nextStep).toBe('unlock_vault');
  });
  it('turns a bare Tauri rejection into the bad-answer client code', async () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    const { call, CLIENT_CODE } = await import('./index');
    invoke.mockRejectedValueOnce('command app_status not found');
    const failure = (await call('app_status', { probe: false }).catch((e: unknown) => e)) as {
      code: string;
    };
    expect(failure.code).toBe(CLIENT_CODE.badAnswer);
  });
});
