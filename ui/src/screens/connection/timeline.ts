// The timeline itself is the core's (ConnectionView.timeline, newest first); the UI names its
// kinds and filters it.
import type { TimelineKind } from '$lib/platform';

export const KIND_LABEL: Record<TimelineKind, string> = {
  auth: 'Authorization',
  status: 'Status',
  sync: 'Syncs',
  credits: 'Credits',
  system: 'System',
};

export const TIMELINE_KINDS = Object.keys(KIND_LABEL) as TimelineKind[];

/** "SYSTEM_UNAVAILABLE: the host did not answer" -> the code and the words apart. */
export function splitError(error: string): { code: string | null; text: string } {
  const m = /^([A-Z][A-Z0-9_]+):\s*(.*)$/.exec(error);
  return m ? { code: m[1] ?? null, text: m[2] || error } : { code: null, text: error };
}
