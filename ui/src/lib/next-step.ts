// What the button under an error says and does, from the core's typed next_step. The UI
// switches on codes and next steps, never on message text.
import type { NextStep } from './platform/contract';

export type StepAction =
  | { kind: 'retry'; label: string }
  | { kind: 'navigate'; label: string; to: string }
  | { kind: 'reload'; label: string }
  | { kind: 'sync'; label: string };

/** `connectionId` is the connection the failed action was about, when there was one. */
export function stepAction(step: NextStep | null, connectionId?: string): StepAction | null {
  const connection = connectionId ? `/connections/${encodeURIComponent(connectionId)}` : null;
  switch (step) {
    case 'retry':
      return { kind: 'retry', label: 'Retry' };
    case 'reauthorize':
      return {
        kind: 'navigate',
        label: 'Reauthorize',
        to: connectionId ? `/connect?reauthorize=${encodeURIComponent(connectionId)}` : '/connect',
      };
    case 'open_connection':
      return connection ? { kind: 'navigate', label: 'Open connection', to: connection } : null;
    case 'add_profile':
      return { kind: 'navigate', label: 'Add profile', to: '/settings' };
    case 'unlock_vault':
      return { kind: 'navigate', label: 'Unlock vault', to: '/settings' };
    case 'activate':
      return connection
        ? { kind: 'navigate', label: 'Activate connection', to: connection }
        : { kind: 'navigate', label: 'Review credits', to: '/credits' };
    case 'sync':
      return { kind: 'sync', label: 'Sync now' };
    case 'reload':
      return { kind: 'reload', label: 'Reload' };
    case 'confirm':
    case 'fix_input':
    case null:
      // The form that asked shows these in place; a panel has nothing to add.
      return null;
    default:
      return null;
  }
}
