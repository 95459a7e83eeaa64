"""Summarise a py-spy collapsed-stack file: python -m bench.spy FILE [N]

Prints the share of the samples taken while the server handled a request (stacks through
PooledASGIHandler.respond; pass a third argument to choose another frame, or "all") in each
function, inclusive then self: the form the profiles in bench/README.md are quoted in."""

from __future__ import annotations

import sys
from collections import Counter


def summarise(path: str, top: int = 40, within: str | None = "PooledASGIHandler.respond") -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if within and not any(within in f for f in frames):
            continue
        n = int(count)
        total += n
        for frame in set(frames[1:]):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total} samples in {within or 'every'} stack", "inclusive:"]
    lines += [f"  {c / total * 100:5.1f}%  {f[:140]}" for f, c in inclusive.most_common(top)]
    lines.append("self:")
    lines += [f"  {c / total * 100:5.1f}%  {f[:140]}" for f, c in own.most_common(top // 2)]
    return "\n".join(lines)


if __name__ == "__main__":
    within = sys.argv[3] if len(sys.argv) > 3 else "PooledASGIHandler.respond"
    print(summarise(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40,
                    None if within == "all" else within))
