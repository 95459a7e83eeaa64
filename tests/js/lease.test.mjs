import test from "node:test";
import assert from "node:assert/strict";
import { continuingText, leaseState, warningText } from "../../static/js/lib/lease.js";

const T0 = 1_000_000_000_000;

test("a connected page never warns: the server renews the lease", () => {
  const s = leaseState({ leaseSeconds: 1800, lastConnectedAt: T0 - 3_600_000, connected: true, now: T0 });
  assert.equal(s.warn, false);
  assert.equal(s.endsAt, T0 + 1_800_000);
});

test("offline, the lease ends a lease time after the last connection; the warning comes in the last two minutes", () => {
  const base = { leaseSeconds: 1800, lastConnectedAt: T0, connected: false };
  assert.equal(leaseState({ ...base, now: T0 + 1_000_000 }).warn, false);
  const near = leaseState({ ...base, now: T0 + 1_800_000 - 80_000 });
  assert.equal(near.warn, true);
  assert.equal(near.remaining, 80_000);
  assert.match(near.text, /ends in 1 min 20 s/);
  assert.match(leaseState({ ...base, now: T0 + 2_000_000 }).text, /has ended/);
});

test("a short lease warns in its last fifth", () => {
  const base = { leaseSeconds: 10, lastConnectedAt: T0, connected: false };
  assert.equal(leaseState({ ...base, now: T0 + 7_000 }).warn, false);
  assert.equal(leaseState({ ...base, now: T0 + 8_500 }).warn, true);
});

test("the server's expiry wins when it is later", () => {
  const s = leaseState({ leaseSeconds: 60, lastConnectedAt: T0, expiresAt: T0 + 600_000,
    connected: false, now: T0 + 90_000 });
  assert.equal(s.warn, false);
  assert.equal(s.endsAt, T0 + 600_000);
});

test("texts", () => {
  assert.equal(warningText(5_000), "Offline: your lease ends in 5 s unless the page reconnects (nothing is lost when it does)");
  assert.equal(continuingText("Tina Tasker"), "Continuing Tina Tasker's draft");
  assert.equal(continuingText(null), "");
});

test("an idle open page warns before the server stops renewing runs the lease out", () => {
  const base = { leaseSeconds: 1800, lastConnectedAt: T0, lastActiveAt: T0, heartbeatSeconds: 60, connected: true };
  // the earliest end: two lease times less one heartbeat after the last activity
  const end = T0 + 2 * 1_800_000 - 60_000;
  assert.equal(leaseState({ ...base, now: T0 + 600_000 }).warn, false);
  const near = leaseState({ ...base, now: end - 90_000 });
  assert.equal(near.endsAt, end);
  assert.equal(near.warn, true);
  assert.match(near.text, /^Idle: your lease ends in 1 min 30 s/);
  // working again: no warning
  assert.equal(leaseState({ ...base, lastActiveAt: end - 100_000, now: end - 90_000 }).warn, false);
});
