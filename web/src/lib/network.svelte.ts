// Whether the browser believes it is online. `navigator.onLine` can say "online" on a dead link,
// so callers still treat failed requests as offline; this only drives the banner and the
// "send now" trigger when the connection comes back.

class Network {
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  /** Attaches the listeners; returns the function that detaches them. */
  start(): () => void {
    const up = () => (this.online = true);
    const down = () => (this.online = false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }
}

export const network = new Network();
