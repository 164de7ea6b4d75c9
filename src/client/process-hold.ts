/**
 * Keeps the process alive while the client has work someone is owed an answer for: an accepted event that has not
 * settled, an awaited flush or close. The client's own timers are unref'd so they never hold a process open on
 * their own; this one ref'd handle does, exactly while the count is above zero, so that the event loop never looks
 * idle to Node (an ESM top-level await, `node --test`, another 'beforeExit' handler) while an answer is pending,
 * and lets go the moment the last one settles. Every accepted event settles within the delivery deadline, which
 * bounds the hold.
 */
export class ProcessHold {
  #holders = 0;
  #handle: NodeJS.Timeout | undefined;

  /** Counts one more holder. */
  enter(): void {
    if (this.#holders++ === 0) this.#handle = setInterval(() => {}, 1 << 30);
  }

  /** Counts one holder less; the handle goes with the last. */
  leave(): void {
    if (this.#holders === 0) return;
    if (--this.#holders === 0) {
      clearInterval(this.#handle);
      this.#handle = undefined;
    }
  }

  /** Holds until the returned function is called (any number of times; only the first counts). */
  acquire(): () => void {
    this.enter();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leave();
    };
  }
}
