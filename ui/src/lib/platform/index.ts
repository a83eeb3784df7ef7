// The only module that knows how the UI reaches the app: inside the desktop window through
// Tauri's invoke. A browser-mode implementation (fetch against `mdesk serve`) comes later and
// will sit beside this one; the rest of the UI imports only from here.
import { invoke } from '@tauri-apps/api/core';

// Hand-written mirrors of the Rust types for now (desk_platform::account::Account and the
// shell's EngineStatus); they become generated (ts-rs or specta) when desk-core lands.
export type Plan = 'trial' | 'paid';

export interface CreditBalance {
  purchased: number;
  in_use: number;
  available: number;
  overage_in_use: number;
}

export interface Account {
  id: string;
  name: string;
  plan: Plan;
  region: string;
  credits: CreditBalance;
}

export interface EngineStatus {
  base_url: string;
  account: Account;
}

/** The codes the shell answers with; the UI matches on these, never on messages. */
export type ShellErrorCode =
  | 'APP_DATA_UNAVAILABLE'
  | 'ENGINE_START_FAILED'
  | 'ENGINE_UNREACHABLE'
  | 'ENGINE_REFUSED'
  | 'ENGINE_BAD_ANSWER'
  | 'NOT_IN_APP';

export class PlatformError extends Error {
  constructor(
    readonly code: ShellErrorCode | string,
    message: string,
    readonly platformCode: string | null = null,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

function isShellError(value: unknown): value is { code: string; message: string; platform_code?: string | null } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

function inApp(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!inApp()) {
    throw new PlatformError('NOT_IN_APP', 'This page runs inside the Makini Desk window; browser mode is not built yet.');
  }
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    if (isShellError(err)) throw new PlatformError(err.code, err.message, err.platform_code ?? null);
    throw new PlatformError('ENGINE_UNREACHABLE', String(err));
  }
}

/** Where the local engine listens and the account it serves, read over its HTTP API. */
export function engineStatus(): Promise<EngineStatus> {
  return call<EngineStatus>('engine_status');
}
