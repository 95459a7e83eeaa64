"""Callbacks: what is sent, the retry schedule, and one delivery attempt.

The outbox row (`CallbackDelivery`) is written by `tasks.lifecycle` in the transaction of the
change it reports, together with the job that sends it (`deliver_callback`, below). A job
claims its delivery with a short lease, sends it once, and records the outcome: any 2xx (or an
email handed to the mail backend) ends it as delivered; anything else schedules the next try,
until MAX_ATTEMPTS tries have failed. `requeue_stalled` (run by `manage.py run_worker`) brings
back deliveries whose job was lost with a killed worker.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import django_tasks
import orjson
from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tasks import fetching
from tasks.callback_signing import signed_headers
from tasks.jobs import queued_args
from tasks.models import AccountSettings, Batch, CallbackDelivery, Task, TaskRole
from tasks.models.deliveries import DeliveryEvent, DeliveryStatus
from tasks.presenters import batch_json, task_json
from tasks.rules.params import EMAIL

logger = logging.getLogger("annotator.callbacks")

MAX_ATTEMPTS = 20
# The wait doubles from the base up to BACKOFF_CAP_FACTOR × base: with a 30 s base that is
# 30 s, 1 min, 2 min, … 64 min, then 2 h, so 20 tries span 86,850 s (about 24 h).
BACKOFF_CAP_FACTOR = 240
POST_TIMEOUT_SECONDS = 10.0
AUTH_HEADER = "scale-callback-auth"
DELIVERY_HEADER = "X-Annotator-Delivery"
EVENT_HEADER = "X-Annotator-Event"
ERROR_TEXT_LIMIT = 2000
SWEEP_LIMIT = 500


# --- settings and the schedule --------------------------------------------------------------

def backoff_base() -> float:
    return float(settings.ANNOTATOR_CALLBACK_BACKOFF_BASE)


def lease_seconds() -> float:
    return float(settings.ANNOTATOR_CALLBACK_LEASE_SECONDS)


def retry_delay(failed_attempts: int, base: float | None = None) -> float:
    """Seconds to wait after the `failed_attempts`-th failed try before the next one."""
    base = backoff_base() if base is None else base
    return base * min(2 ** (failed_attempts - 1), BACKOFF_CAP_FACTOR)


def schedule_total(base: float | None = None) -> float:
    """Seconds from the first try to the last (MAX_ATTEMPTS tries, MAX_ATTEMPTS - 1 waits)."""
    return sum(retry_delay(n, base) for n in range(1, MAX_ATTEMPTS))


def post_timeout() -> float:
    """Never longer than half the lease, so a lease cannot run out while its holder sends."""
    return min(POST_TIMEOUT_SECONDS, max(lease_seconds() / 2, 0.5))


# --- payloads and the outbox ----------------------------------------------------------------

UNCHANGED = object()  # as a `response` argument: the task's own response


def task_payload(task: Task, response: object = UNCHANGED) -> dict:
    """The body Scale sends: the task's id, status and response, and the whole task."""
    return {
        "task_id": task.task_id,
        "status": task.status,
        "response": task.response if response is UNCHANGED else response,
        "task": task_json(task),
    }


def batch_payload(batch: Batch) -> dict:
    """Our body for a batch callback (Scale does not document one): docs/api-decisions.md."""
    counts = dict.fromkeys(("pending", "completed", "error", "canceled"), 0)
    for row in batch.tasks.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return {"batch": batch_json(batch), "status": batch.status, "counts": counts}


def callback_target(task: Task) -> str:
    """The task's callback_url, or else the account's default; "" when there is none."""
    if task.callback_url:
        return task.callback_url
    account = AccountSettings.objects.filter(user_id=task.owner_id).first()
    return account.default_callback_url.strip() if account else ""


def record_task_event(task: Task, event: str,
                      response: object = UNCHANGED) -> CallbackDelivery | None:
    """Write the callback of a change to `task` into the outbox. Call it inside the
    transaction that makes the change. Only a customer's own task calls back: never a
    consensus replica, a gold or a training row (docs/quality.md)."""
    if task.role != TaskRole.CUSTOMER:
        return None
    url = callback_target(task)
    if not url:
        return None
    return _write(CallbackDelivery(owner_id=task.owner_id, task=task, event=event, url=url,
                                   payload=task_payload(task, response)))


def record_batch_event(batch: Batch) -> CallbackDelivery | None:
    if not batch.callback:
        return None
    return _write(CallbackDelivery(owner_id=batch.owner_id, batch=batch,
                                   event=DeliveryEvent.BATCH_COMPLETED, url=batch.callback,
                                   payload=batch_payload(batch)))


def _write(delivery: CallbackDelivery) -> CallbackDelivery:
    delivery.save(force_insert=True)
    enqueue(delivery)
    return delivery


@django_tasks.task()
def deliver_callback(delivery_id: str) -> str:
    """The job that sends one try of a delivery (`attempt`), run by `manage.py run_worker`."""
    return attempt(delivery_id)


def enqueue(delivery: CallbackDelivery, run_after: datetime | None = None) -> None:
    """Queue the job that sends `delivery` (in the caller's transaction, if any)."""
    job = deliver_callback if run_after is None else deliver_callback.using(run_after=run_after)
    job.enqueue(str(delivery.id))


def retry_now(delivery: CallbackDelivery) -> bool:
    """Send again as soon as a worker is free; a delivery that gave up gets a fresh set of
    tries. Returns False for a delivery that already arrived."""
    with transaction.atomic():
        delivery = CallbackDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == DeliveryStatus.DELIVERED:
            return False
        if delivery.status == DeliveryStatus.FAILED:
            delivery.attempts = 0
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now()  # a try in flight keeps its lease
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        enqueue(delivery)
    return True


# --- one attempt ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    final: bool = False  # a failure no retry can mend


def attempt(delivery_id: str) -> str:
    """Claim, send and record one try of a delivery; what happened, in a word."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "skipped"
    outcome = send(delivery)
    return record(delivery, outcome)


def claim(delivery_id: str) -> CallbackDelivery | None:
    """Take the lease on a due delivery, counting the try; None if it is not ours to send
    (done, given up, held by another worker, or not due: a newer job is queued for it)."""
    try:
        key = uuid.UUID(str(delivery_id))
    except ValueError:
        return None
    now = timezone.now()
    with transaction.atomic():
        delivery = CallbackDelivery.objects.select_for_update().filter(pk=key).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.locked_until is not None and delivery.locked_until > now:
            return None
        if delivery.next_attempt_at > now + timedelta(seconds=1):
            return None
        delivery.locked_until = now + timedelta(seconds=lease_seconds())
        delivery.attempts += 1
        delivery.save(update_fields=["locked_until", "attempts"])
    return delivery


def send(delivery: CallbackDelivery) -> Outcome:
    body = orjson.dumps(delivery.payload)
    try:
        if EMAIL.match(delivery.url):
            return _send_email(delivery, body)
        return _send_http(delivery, body)
    except Exception as exc:  # whatever happens, the try is recorded and retried
        logger.warning("callback %s to %s failed: %s", delivery.id, delivery.url, exc)
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")


def _is_test(delivery: CallbackDelivery) -> bool:
    source = delivery.task if delivery.task_id else delivery.batch
    return bool(source is not None and source.is_test)


def _send_http(delivery: CallbackDelivery, body: bytes) -> Outcome:
    account = AccountSettings.for_user(delivery.owner)
    is_test = _is_test(delivery)
    headers = {
        "Content-Type": "application/json",
        AUTH_HEADER: account.auth_key(is_test),
        DELIVERY_HEADER: str(delivery.id),
        EVENT_HEADER: delivery.event,
        # Signed at each try, so a retry carries a fresh timestamp.
        **signed_headers(account, is_test, body),
    }
    try:
        result = fetching.post_json(delivery.url, body, headers=headers, timeout=post_timeout())
    except fetching.FetchError as exc:
        return Outcome(ok=False, status_code=exc.status_code, error=exc.message)
    if result.ok:
        return Outcome(ok=True, status_code=result.status_code)
    reply = result.body[:500].decode("utf-8", "replace")
    return Outcome(ok=False, status_code=result.status_code,
                   error=f"HTTP {result.status_code}: {reply}".strip())


def _send_email(delivery: CallbackDelivery, body: bytes) -> Outcome:
    refusal = email_refusal(delivery)
    if refusal is not None:
        return refusal
    payload = delivery.payload
    subject = f"annotator callback: {delivery.event}"
    if payload.get("task_id"):
        subject += f" of task {payload['task_id']} ({payload.get('status')})"
    sent = send_mail(subject, body.decode(), None, [delivery.url], fail_silently=False,
                     connection=get_connection(timeout=post_timeout()))
    return Outcome(ok=True) if sent else Outcome(ok=False, error="the mail backend sent nothing")


def email_refusal(delivery: CallbackDelivery) -> Outcome | None:
    """E-mail goes only to the addresses staff allowed for the account, never for a test
    task, and at most ANNOTATOR_CALLBACK_EMAILS_PER_HOUR an hour per account (later ones wait
    for their next try); otherwise any key could make the server mail anyone."""
    if _is_test(delivery):
        return Outcome(ok=False, final=True, error="Test keys send no e-mail callbacks.")
    account = AccountSettings.for_user(delivery.owner)
    if delivery.url.strip().lower() not in account.allowed_emails():
        return Outcome(ok=False, final=True, error=(
            f"{delivery.url} is not among the account's callback e-mail addresses (set by "
            "staff in the account settings)."))
    hour_ago = timezone.now() - timedelta(hours=1)
    sent = (CallbackDelivery.objects.filter(owner_id=delivery.owner_id,
                                            delivered_at__gte=hour_ago)
            .exclude(url__istartswith="http").count())
    limit = settings.ANNOTATOR_CALLBACK_EMAILS_PER_HOUR
    if sent >= limit:
        return Outcome(ok=False, error=f"The account sent {limit} e-mail callbacks in the "
                                       "last hour; this one waits for its next try.")
    return None


def record(delivery: CallbackDelivery, outcome: Outcome) -> str:
    """Store the outcome of a try and schedule the next one if needed."""
    now = timezone.now()
    with transaction.atomic():
        delivery = CallbackDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != DeliveryStatus.PENDING:
            return delivery.status
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error[:ERROR_TEXT_LIMIT]
        delivery.locked_until = None
        if outcome.ok:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
            _set_task_flag(delivery, True)
        elif outcome.final or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            _set_task_flag(delivery, False)
        else:
            delivery.next_attempt_at = now + timedelta(seconds=retry_delay(delivery.attempts))
            enqueue(delivery, run_after=delivery.next_attempt_at)
        delivery.save()
    return "retrying" if delivery.status == DeliveryStatus.PENDING else str(delivery.status)


def _set_task_flag(delivery: CallbackDelivery, succeeded: bool) -> None:
    # callback_succeeded is not the status: it is written here, outside tasks.lifecycle.
    if delivery.task_id:
        Task.objects.filter(pk=delivery.task_id).update(callback_succeeded=succeeded)


# --- recovery -------------------------------------------------------------------------------

def requeue_stalled(now: datetime | None = None) -> int:
    """Queue a job again for each due delivery that has neither a live lease nor a queued
    job (its worker was killed mid-try, or its job row was lost). Returns how many."""
    now = now or timezone.now()
    due = (CallbackDelivery.objects
           .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
           .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
           .order_by("next_attempt_at").values_list("id", flat=True)[:SWEEP_LIMIT])
    waiting = queued_args(deliver_callback)
    count = 0
    for delivery_id in due:
        if str(delivery_id) not in waiting:
            deliver_callback.enqueue(str(delivery_id))
            count += 1
    return count
