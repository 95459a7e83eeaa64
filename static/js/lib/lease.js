// When the page's lease ends, and when to warn (docs/live-sessions.md "Leases"). DOM-free.
//
// While the page is connected and the tasker works, the server renews the lease (every
// heartbeat and operation). It stops renewing a lease time after the tasker's last sign of
// life, so the lease ends at the earliest a lease time after the last connection (offline),
// or two lease times less one heartbeat after the last activity (an idle open page). The
// page warns only when the end is near: less than two minutes left, or a fifth of the lease
// when that is shorter.

/**
 * @param {{leaseSeconds: number, lastConnectedAt: number, lastActiveAt?: number,
 *   heartbeatSeconds?: number, expiresAt?: number | null, connected: boolean, now: number}} state
 *   times in ms since the epoch
 * @returns {{endsAt: number, remaining: number, warn: boolean, text: string}}
 */
export function leaseState({ leaseSeconds, lastConnectedAt, lastActiveAt = Infinity,
  heartbeatSeconds = 60, expiresAt = null, connected, now }) {
  const lease = Math.max(1, Number(leaseSeconds) || 0) * 1000;
  const beat = Math.min(Math.max(0, Number(heartbeatSeconds) || 0) * 1000, lease);
  let endsAt = connected ? now + lease : lastConnectedAt + lease;
  if (!connected && expiresAt && expiresAt > endsAt) endsAt = expiresAt;  // the server's word
  endsAt = Math.min(endsAt, lastActiveAt + 2 * lease - beat);  // idle: no more renewals
  const remaining = Math.max(0, endsAt - now);
  const margin = Math.min(120_000, lease / 5);
  const warn = remaining <= margin;
  return { endsAt, remaining, warn, text: warn ? warningText(remaining, connected) : "" };
}

/** "Offline: your lease ends in 1 min 20 s…" / "Idle: …" / "Your lease has ended…". */
export function warningText(remaining, connected = false) {
  if (remaining <= 0) {
    return "Your lease has ended: the draft is kept on the server; reconnect or Start again to continue";
  }
  const seconds = Math.ceil(remaining / 1000);
  const minutes = Math.floor(seconds / 60);
  const left = minutes ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
  if (connected) return `Idle: your lease ends in ${left} unless you go on working (nothing is lost when it does)`;
  return `Offline: your lease ends in ${left} unless the page reconnects (nothing is lost when it does)`;
}

/** The page's notice for a draft another tasker made: "Continuing Tina Tasker's draft". */
export function continuingText(name) {
  return name ? `Continuing ${name}'s draft` : "";
}
