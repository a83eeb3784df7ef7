// `j`/`k`/`Enter` act on the list in view. The screen's table registers itself here while
// mounted, so the shortcuts need not know which screen is showing.
export interface KeyboardList {
  move(delta: number): void;
  open(): void;
}

class Lists {
  current: KeyboardList | null = $state(null);

  register(list: KeyboardList): () => void {
    this.current = list;
    return () => {
      if (this.current === list) this.current = null;
    };
  }
}

export const lists = new Lists();
