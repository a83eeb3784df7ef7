// The theme follows the OS unless the user picks one; the choice is kept in localStorage and
// applied as data-theme on <html>, which flips `color-scheme` and so every light-dark() token.
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'mdesk.theme';

function read(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

class Theme {
  choice: ThemeChoice = $state(read());

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      if (choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // Storage can be disabled; the choice still holds for this page.
    }
    this.apply();
  }

  apply(): void {
    const root = document.documentElement;
    if (this.choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.choice;
  }
}

export const theme = new Theme();
