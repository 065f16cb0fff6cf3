// A reactive "now" for countdowns. Each page owns its ticker (start in an $effect, which stops it
// on leave) so that nothing ticks while no countdown is on screen.

export class Ticker {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts ticking every `intervalMs`; returns the stop function (fits `$effect`). */
  start(intervalMs = 500): () => void {
    this.stop();
    this.now = Date.now();
    this.#timer = setInterval(() => {
      this.now = Date.now();
    }, intervalMs);
    return () => this.stop();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
