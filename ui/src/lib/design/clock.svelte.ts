// One shared "now" for every relative time on screen, ticking every 20 s, so a table of 40
// rows does not run 40 timers and all rows agree on what "3 min ago" means.
class Clock {
  now = $state(new Date());
  private timer: ReturnType<typeof setInterval> | null = null;
  private users = 0;

  use(): () => void {
    this.users++;
    if (this.timer === null) {
      // The clock stood still while nothing showed a time (another screen): catch up first,
      // or rows that arrived since read "in 3 min".
      this.now = new Date();
      this.timer = setInterval(() => (this.now = new Date()), 20000);
    }
    return () => {
      this.users--;
      if (this.users === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }
}

export const clock = new Clock();
