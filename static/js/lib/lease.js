// When the page's lease ends, and when to warn (docs/live-sessions.md "Leases"). DOM-free.
//
// While the page is connected the server renews the lease (every heartbeat and operation), so
// it ends a full lease time after the page was last connected. The page warns only when the
// end is near: less than two minutes left, or a fifth of the lease when that is shorter.

/**
 * @param {{leaseSeconds: number, lastConnectedAt: number, expiresAt?: number | null,
 *   connected: boolean, now: number}} state times in ms since the epoch
 * @returns {{endsAt: number, remaining: number, warn: boolean, text: string}}
 */
export function leaseState({ leaseSeconds, lastConnectedAt, expiresAt = null, connected, now }) {
  const lease = Math.max(1, Number(leaseSeconds) || 0) * 1000;
  let endsAt = connected ? now + lease : lastConnectedAt + lease;
  if (expiresAt && expiresAt > endsAt) endsAt = expiresAt;  // the server's own word
  const remaining = Math.max(0, endsAt - now);
  const margin = Math.min(120_000, lease / 5);
  const warn = !connected && remaining <= margin;
  return { endsAt, remaining, warn, text: warn ? warningText(remaining) : "" };
}

/** "Your lease ends in 1 min 20 s" / "Your lease has ended". */
export function warningText(remaining) {
  if (remaining <= 0) {
    return "Your lease has ended: the draft is kept on the server; reconnect or Start again to continue";
  }
  const seconds = Math.ceil(remaining / 1000);
  const minutes = Math.floor(seconds / 60);
  const left = minutes ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
  return `Offline: your lease ends in ${left} unless the page reconnects (nothing is lost when it does)`;
}

/** The page's notice for a draft another tasker made: "Continuing Tina Tasker's draft". */
export function continuingText(name) {
  return name ? `Continuing ${name}'s draft` : "";
}
