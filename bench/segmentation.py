"""The segmentation figure: building the response files of a 4,000 x 3,000 mask, in process.

`python -m bench.segmentation` prints it alone (no server needed); `python -m bench --only
segmentation` runs it as its step. It times tasks.segmentation.response_files.build (every
PNG of the response: the combined RGBA image, the 8-bit index image, the extended RGBA index
image, one mask per label and instance, the unlabeled pixels' mask), not the storage writes.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bench.stats import Figure, distribution, percentile, summary

SIZE = (4000, 3000)
LABELS = 20  # labels 1..20, the 20th an instance label with 30 instances


def sample_mask(width: int = SIZE[0], height: int = SIZE[1]) -> tuple[np.ndarray, list, list]:
    """A mask as a tasker leaves it: 19 labels in blocks, 30 instances of the 20th, a band
    of unlabeled pixels; with its label table and instances."""
    from tasks.rules.segmentation import label_table

    labels = [f"label-{n}" for n in range(1, LABELS)] + [
        {"choice": "car", "instance_label": True}]
    table = label_table(labels)
    rows, cols = np.mgrid[0:height, 0:width]
    mask = ((cols // 211 + rows // 157 * 7) % (LABELS - 1) + 1).astype(np.uint8)
    instances = []
    for n in range(30):
        index = LABELS + 1 + n
        left, top = 90 + (n % 10) * 380, 200 + (n // 10) * 900
        mask[top:top + 260, left:left + 300] = index
        instances.append({"index": index, "label": "car", "attributes": {}})
    mask[:40] = 0
    return mask, table, instances


def segmentation_figures(runs: int = 10) -> Figure:
    from tasks.segmentation.response_files import build

    mask, table, instances = sample_mask()
    build(mask, table, instances)  # warm-up
    samples, cpu, sizes = [], [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        built = build(mask, table, instances)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        sizes.append(sum(len(data) for data in built.files.values()))
    figure = distribution("segmentation_files", "build the response files of a 4,000 × 3,000 "
                          "mask (19 labels, 30 instances)", "≤ 1000 ms", samples, limit=1000,
                          files=len(built.files), bytes=sizes[-1], cpu=summary(cpu))
    figure.note = f"{len(built.files)} PNGs, {sizes[-1] / 1e6:.1f} MB, CPU " \
                  f"{percentile(cpu, 50):.0f} ms"
    return figure


def main() -> int:
    figure = segmentation_figures()
    print(f"{figure.name}: {figure.measured()}, {figure.note} "
          f"(target {figure.target}: {figure.verdict()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
