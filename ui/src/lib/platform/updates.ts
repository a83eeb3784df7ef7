// Signed updates: only the window has an updater (the check, the download and the signature
// verification run in the shell, src-tauri/src/updates.rs). A browser tab is told so.
import type { UpdateCheck, UpdateDownloaded } from './contract';
import { ActionFailure } from './errors';
import { inTauri } from './index';

function windowOnly(name: string): ActionFailure {
  return new ActionFailure(name, {
    code: 'NOT_SUPPORTED',
    message: 'Updates are installed by the desktop app; a browser tab has nothing to update.',
    request_id: null,
    next_step: null,
    retry_after_seconds: null,
  });
}

export async function checkForUpdates(): Promise<UpdateCheck> {
  if (!inTauri()) throw windowOnly('update_check');
  const { shellCommand } = await import('./tauri');
  return shellCommand<UpdateCheck>('update_check', {});
}

/** Downloads the release the last check found, verifies its signature, installs it if asked. */
export async function downloadUpdate(install: boolean): Promise<UpdateDownloaded> {
  if (!inTauri()) throw windowOnly('update_download');
  const { shellCommand } = await import('./tauri');
  return shellCommand<UpdateDownloaded>('update_download', { install });
}
