// Every shortcut lives in this one list: tinykeys binds it, the palette lists it, so the two
// can never disagree.
import { tinykeys } from 'tinykeys';
import { SCREENS } from '$lib/router/routes';
import { router } from '$lib/router/router.svelte';
import { lists } from './lists.svelte';

export interface Shortcut {
  /** tinykeys syntax: '$mod+k', 'g o'. */
  keys: string;
  /** What the palette shows, one entry per key press. */
  display: string[];
  label: string;
  /** Fires while typing in a field too (only the palette's own shortcut). */
  inFields?: boolean;
  run: (event: KeyboardEvent) => void;
}

export interface ShortcutHooks {
  openPalette: () => void;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

function typing(event: KeyboardEvent): boolean {
  const el = event.target as HTMLElement | null;
  if (!el || !(el instanceof HTMLElement)) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** Inside an open dialog or menu the widget owns the keys (bits-ui handles Esc and arrows). */
function inOverlay(event: KeyboardEvent): boolean {
  const el = event.target as HTMLElement | null;
  return !!el?.closest?.('[role="dialog"], [role="menu"], [role="listbox"]');
}

export function focusSearch(): void {
  const input = document.querySelector<HTMLInputElement>('[data-shortcut="search"]');
  input?.focus();
  input?.select();
}

export function shortcuts(hooks: ShortcutHooks): Shortcut[] {
  const go = SCREENS.map<Shortcut>((s) => ({
    keys: s.keys,
    display: s.keys.toUpperCase().split(' '),
    label: `Go to ${s.label}`,
    run: () => router.navigate(s.path),
  }));
  return [
    {
      keys: '$mod+k',
      display: [isMac ? '⌘' : 'Ctrl', 'K'],
      label: 'Open the command palette',
      inFields: true,
      run: (e) => {
        e.preventDefault();
        hooks.openPalette();
      },
    },
    {
      keys: '/',
      display: ['/'],
      label: 'Search the list',
      run: (e) => {
        e.preventDefault();
        focusSearch();
      },
    },
    { keys: 'j', display: ['J'], label: 'Next row', run: () => lists.current?.move(1) },
    { keys: 'k', display: ['K'], label: 'Previous row', run: () => lists.current?.move(-1) },
    { keys: 'Enter', display: ['Enter'], label: 'Open the row', run: () => lists.current?.open() },
    {
      keys: 'Escape',
      display: ['Esc'],
      label: 'Close, or leave the search box',
      inFields: true,
      run: (e) => {
        if (typing(e)) (e.target as HTMLElement).blur();
      },
    },
    ...go,
  ];
}

export function bindShortcuts(list: Shortcut[]): () => void {
  const map: Record<string, (e: KeyboardEvent) => void> = {};
  for (const s of list) {
    map[s.keys] = (e) => {
      if (!s.inFields && (typing(e) || inOverlay(e))) return;
      // Enter on a focused link or button keeps its own meaning.
      if (s.keys === 'Enter' && (e.target as HTMLElement)?.closest?.('a, button')) return;
      s.run(e);
    };
  }
  return tinykeys(window, map);
}
