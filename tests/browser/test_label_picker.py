"""The nested label picker: search across the tree, leaves only, keys, recent labels, relabel."""

from __future__ import annotations

import pytest

from tests.browser.labels import PEDESTRIANS, VEHICLES

pytestmark = pytest.mark.browser

TEXTS = "els => els.map(e => e.textContent)"

TREE = [*VEHICLES, *PEDESTRIANS, {"choice": "Animal", "subchoices": [
    {"choice": "Pet", "subchoices": [{"choice": "dog", "display": "Dog"}, "cat"]}, "deer"]}]


def test_picker_searches_the_tree_offers_leaves_and_remembers_recent_labels(make_task, bench_for):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": TREE}}})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    picker = bench.picker()
    search = picker.locator("input")

    bench.tool("b")
    bench.drag((40, 40), (120, 100))
    picker.wait_for(state="visible")
    # Empty search: the whole tree, groups as headings, only leaves are options.
    assert picker.locator(".wb-picker-group").evaluate_all(TEXTS) == [
        "Vehicle", "Pedestrian", "Animal", "Pet"]
    names = picker.locator(".wb-picker-option .wb-picker-name").evaluate_all(TEXTS)
    assert names == ["car", "truck", "Adult", "Child", "Dog", "cat", "deer"]

    # Typing filters by display text and by choice, anywhere in the tree, with the path.
    search.type("do")
    assert picker.locator(".wb-picker-option .wb-picker-path").evaluate_all(TEXTS) == [
        "Animal › Pet › Dog"]
    search.fill("ped_ch")  # the choice, not the display
    assert picker.locator(".wb-picker-option .wb-picker-name").evaluate_all(TEXTS) == ["Child"]
    # A group's name finds the leaves under it, with their path (docs/workbench.md "Labels").
    search.fill("pet")
    assert picker.locator(".wb-picker-option .wb-picker-path").evaluate_all(TEXTS) == [
        "Animal › Pet › Dog", "Animal › Pet › cat"]
    search.fill("zebra")
    assert picker.locator(".wb-picker-option").count() == 0
    assert "No label matches" in picker.inner_text()

    # Arrow keys move the highlight; Enter picks the highlighted leaf.
    search.fill("")
    search.press("ArrowDown")
    search.press("ArrowDown")
    assert picker.locator(".wb-picker-option.active .wb-picker-name").inner_text() == "Adult"
    search.press("Enter")
    picker.wait_for(state="hidden")
    assert bench.annotations()[0]["label"] == "ped_adult"

    # Esc on a new shape's picker discards the shape: nothing is added, nothing to undo.
    bench.drag((200, 40), (260, 100))
    picker.wait_for(state="visible")
    search.press("Escape")
    picker.wait_for(state="hidden")
    assert len(bench.annotations()) == 1
    assert "discarded" in bench.status()

    # Recent labels are numbered; Alt+1-9 pick them (a plain digit searches).
    bench.drag((200, 140), (260, 200))
    picker.wait_for(state="visible")
    search.type("deer")
    search.press("Enter")
    bench.drag((300, 140), (360, 200))
    picker.wait_for(state="visible")
    recent = picker.locator(".wb-picker-option:has(kbd)")
    assert recent.locator(".wb-picker-name").evaluate_all(TEXTS) == ["deer", "Adult"]
    search.press("Alt+2")
    picker.wait_for(state="hidden")
    assert [a["label"] for a in bench.annotations()] == ["ped_adult", "deer", "ped_adult"]

    # Enter on a selection opens the picker to relabel; Esc keeps the label.
    page.keyboard.press("Enter")
    picker.wait_for(state="visible")
    assert "selected box" in picker.locator(".wb-picker-title").text_content()
    search.press("Escape")
    picker.wait_for(state="hidden")
    assert bench.annotations()[2]["label"] == "ped_adult"
    page.keyboard.press("Enter")
    search.type("truck")
    search.press("Enter")
    picker.wait_for(state="hidden")
    assert bench.annotations()[2]["label"] == "truck"
    # the relabel is one undo step
    page.keyboard.press("Control+z")
    assert bench.annotations()[2]["label"] == "ped_adult"
