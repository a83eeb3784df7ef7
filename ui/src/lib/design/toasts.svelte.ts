import type { Tone } from '$lib/health';

export interface Toast {
  id: number;
  tone: Tone;
  title: string;
  body?: string;
}

// Toasts confirm what just happened ("Disconnected · 4 credits returned"); errors that need a
// decision stay on the screen in an ErrorPanel instead of vanishing.
class Toasts {
  items: Toast[] = $state([]);
  private next = 1;

  show(toast: Omit<Toast, 'id'>, ms = 5000): void {
    const id = this.next++;
    this.items = [...this.items, { id, ...toast }].slice(-4);
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toast = new Toasts();
