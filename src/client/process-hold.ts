/**
 * Keeps the process alive while someone awaits a flush or close: the client's own timers are unref'd so they never
 * hold a process open on their own, but an awaited drain (backoff waits included) must not be cut short by exit.
 */
export class ProcessHold {
  #holders = 0;
  #handle: NodeJS.Timeout | undefined;

  acquire(): () => void {
    if (this.#holders++ === 0) this.#handle = setInterval(() => {}, 1 << 30);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holders === 0) {
        clearInterval(this.#handle);
        this.#handle = undefined;
      }
    };
  }
}
