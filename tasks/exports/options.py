"""The per-format options of an export (docs/segmentation.md "Exports"): a format names the
options it takes, each with its choices, the first being the default. `GET
/v1/exports/{format}` takes them as query parameters, `manage.py export` as flags and the
Project admin's export actions from fields beside the action menu; `export_tasks` passes them
to the format's `write` as keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class OptionError(ValueError):
    """An option the format does not take, or a value it does not offer."""


@dataclass(frozen=True)
class Option:
    name: str
    choices: tuple[str, ...]
    help: str

    @property
    def default(self) -> str:
        return self.choices[0]


OPTIONS: dict[str, tuple[Option, ...]] = {
    "coco": (Option("instances", ("rle", "polygons"),
                    "how a segmentation task's instances are written: rle (the exact pixels, "
                    "the default) or polygons (their outlines, iscrowd 0; holes are filled)"),),
}


def of_format(fmt: str) -> tuple[Option, ...]:
    return OPTIONS.get(fmt, ())


def names() -> set[str]:
    """Every option any format takes."""
    return {option.name for options in OPTIONS.values() for option in options}


def parse(fmt: str, given: Mapping[str, str | None]) -> dict[str, str]:
    """The format's options with defaults filled in; an unknown name or value is an
    OptionError. A None value means "not given"."""
    known = {option.name: option for option in of_format(fmt)}
    chosen = {name: option.default for name, option in known.items()}
    for name, value in given.items():
        if value is None:
            continue
        option = known.get(name)
        if option is None:
            takes = ", ".join(sorted(known)) or "none"
            raise OptionError(f'The {fmt} export takes no option "{name}" (its options: '
                              f"{takes}).")
        if value not in option.choices:
            raise OptionError(f'Option "{name}" of the {fmt} export must be one of '
                              f"{', '.join(option.choices)}, not \"{value}\".")
        chosen[name] = value
    return chosen
