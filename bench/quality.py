"""The consensus figure: matching and merging 3 answers of 1,000 boxes each, in process.

`python -m bench.quality` prints it alone (no server needed); `python -m bench` runs it as
its `quality` step.
"""

from __future__ import annotations

import random
import sys
import time

from bench.stats import Figure, distribution, percentile, summary

LABELS = ("car", "truck", "person", "bicycle", "sign")
IMAGE = (4000, 3000)


def three_answers(count: int = 1000, seed: int = 7) -> list[dict]:
    """Three taskers' responses over the same `count` boxes of a 4000 x 3000 image: each box
    (40 to 120 px a side) moved by up to 2 px per tasker; the second tasker misses 2 % of
    them and draws 1 % extra, the third gives 2 % another label. Every answer carries two
    attributes per box."""
    rng = random.Random(seed)
    truth = []
    for n in range(count):
        width, height = rng.uniform(40, 120), rng.uniform(40, 120)
        truth.append((n, rng.uniform(0, IMAGE[0] - width), rng.uniform(0, IMAGE[1] - height),
                      width, height, rng.choice(LABELS)))
    answers = []
    for tasker in range(3):
        annotations = []
        for n, left, top, width, height, label in truth:
            if tasker == 1 and n % 50 == 0:
                continue
            if tasker == 2 and n % 50 == 1:
                label = LABELS[(LABELS.index(label) + 1) % len(LABELS)]
            annotations.append(_box(f"t{tasker}-{n}", label, left, top, width, height, rng))
        if tasker == 1:
            annotations += [_box(f"t1-extra{n}", "sign", rng.uniform(0, 3900),
                                 rng.uniform(0, 2900), 30, 30, rng) for n in range(count // 100)]
        rng.shuffle(annotations)
        answers.append({"annotations": annotations})
    return answers


def _box(uuid: str, label: str, left: float, top: float, width: float, height: float,
         rng: random.Random) -> dict:
    def jitter(value: float) -> float:
        return round(value + rng.uniform(-2, 2), 2)

    return {"uuid": uuid, "type": "box", "label": label, "left": jitter(left),
            "top": jitter(top), "width": max(1.0, jitter(width)),
            "height": max(1.0, jitter(height)),
            "attributes": {"occluded": rng.choice(("yes", "no", "no")),
                           "truncated": rng.choice(("yes", "no", "no", "no"))}}


def quality_figures(runs: int = 30) -> Figure:
    """Wall time of tasks.quality.merge.merge (clustering included) on three_answers(), with
    the collector paused as the worker's merge job pauses it (tasks/collector.py)."""
    from tasks.collector import collector_paused
    from tasks.quality.merge import merge
    from tasks.quality.options import QualityOptions

    answers = three_answers()
    options = QualityOptions(image_size=IMAGE)
    for _ in range(3):
        result = merge(answers, options)
    samples, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        with collector_paused():
            result = merge(answers, options)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    report = result.report
    figure = distribution("consensus_merge", "match and merge 3 answers of 1,000 boxes",
                          "≤ 200 ms", samples, limit=200, kept=report["kept"],
                          dropped=report["dropped"], agreement=report["agreement"],
                          cpu=summary(cpu))
    figure.note = f"CPU {percentile(cpu, 50):.0f} ms"
    return figure


def main() -> int:
    figure = quality_figures()
    print(f"{figure.name}: {figure.measured()}, {figure.note} "
          f"(target {figure.target}: {figure.verdict()}); kept {figure.extra['kept']}, "
          f"agreement {figure.extra['agreement']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
