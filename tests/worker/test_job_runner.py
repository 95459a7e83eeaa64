"""The background jobs in threads of the calling process (tasks/job_runner.py, what a
one-process `serve` runs): a queued job runs, the loop starts again after it failed, and
`stop()` ends it; and the process, which serves requests too, never pauses the garbage
collector for a job (tasks/collector.py). In a process of its own on a database file: the
jobs' threads and the caller's each have a connection, which pytest's in-memory SQLite
database cannot give them."""

from __future__ import annotations

import json
import textwrap

from tests.probes import run_probe

PROBE = textwrap.dedent("""
    import json, logging, time
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.db import OperationalError
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult
    import gc
    from tasks import collector, heartbeat, job_runner, tiles

    failures = []
    class Failures(logging.Handler):
        def emit(self, record):
            failures.append(record.getMessage())
    logging.getLogger("annotator.worker").addHandler(Failures())

    job_runner.FIRST_BACKOFF = 0.05
    runner = job_runner.JobRunner(interval=0.05, sweep_seconds=3600)
    real_run, runs = runner.worker.run, []
    def failing_once():  # the database lost under the first loop
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        real_run()
    runner.worker.run = failing_once
    runner.start()
    result = tiles.build_tiles.enqueue("no-such-task")
    deadline = time.monotonic() + 20
    row = DBTaskResult.objects.get(pk=result.id)
    while row.status != TaskResultStatus.SUCCESSFUL and time.monotonic() < deadline:
        time.sleep(0.05)
        row = DBTaskResult.objects.get(pk=result.id)
    alive = runner.worker.worker_id in heartbeat.live_worker_ids()
    runner.stop(timeout=5)
    with collector.collector_paused():
        collecting = gc.isenabled()
    print(json.dumps({"collecting": collecting, "status": row.status,
                      "value": row.return_value, "runs": len(runs), "alive": alive,
                      "failures": failures,
                      "stopped": not runner.loop.is_alive() and not runner.sweeper.is_alive(),
                      "forgotten": runner.worker.worker_id not in heartbeat.live_worker_ids()}))
""")


def test_the_runner_starts_its_loop_again_after_it_failed_runs_the_job_and_stops(tmp_path):
    found = json.loads(run_probe(PROBE, tmp_path, timeout=120))
    assert found["status"] == "SUCCESSFUL" and found["value"] == "skipped", found
    assert found["runs"] == 2 and found["alive"]
    assert any("the job loop failed; starting it again in 0.05 s" in line
               for line in found["failures"])
    assert found["stopped"] and found["forgotten"]
    assert found["collecting"]
