"""Issue 5 in the browser: every attribute type, conditions, global attributes, links, locks
on base annotations, context images and point connections; submitted and read back through
the API."""

from __future__ import annotations

import pytest

from tests.browser.helpers import near, page_wait_until

pytestmark = pytest.mark.browser

VEHICLES = [{"choice": "Vehicle", "subchoices": ["car", "truck"]}]
ON_VEHICLES = {"label_condition": {"label": ["car", "truck"]}}
ATTRIBUTES = {
    "occlusion": {"type": "category", "default": "visible", "choices": [
        "visible", {"choice": "Occluded", "subchoices": [
            {"choice": "partly", "display": "Partly hidden"},
            {"choice": "mostly", "display": "Mostly hidden"}]}]},
    "parked": {"choices": ["yes", "no"], "required": True, "conditions": ON_VEHICLES},
    "speed": {"type": "number", "min": 0, "max": 130, "step": 5,
              "conditions": {**ON_VEHICLES, "attribute_conditions": [{"parked": "no"}]}},
    "colors": {"choices": ["red", "blue", "white"], "allow_multiple": True,
               "conditions": ON_VEHICLES},
    "plate": {"type": "text", "conditions": ON_VEHICLES},
    "heading": {"type": "angle", "conditions": ON_VEHICLES},
    "centre": {"type": "x_line"},
    "owner": {"type": "linked", "allowed_labels": ["car"], "required": True,
              "conditions": {"label_condition": {"label": "head"}}},
    "weather": {"choices": ["sun", "rain"], "required": True,
                "conditions": {"is_global": True}},
    "rain": {"choices": ["light", "heavy"],
             "conditions": {"is_global": True, "attribute_conditions": [{"weather": "rain"}]}},
}
LINKS = {"tows": [{"is_bidirectional": False, "from_allowed_labels": ["truck"],
                   "to_allowed_labels": ["car"]}]}


def attribute(page, name: str):
    return page.locator(f".wb-panel-attributes [data-attribute='{name}']")


def global_attribute(page, name: str):
    return page.locator(f".wb-panel-globals [data-attribute='{name}']")


def shown(page, panel: str = "attributes") -> list[str]:
    return page.locator(f".wb-panel-{panel} [data-attribute]").evaluate_all(
        "els => els.map(e => e.dataset.attribute)")


def fill(locator, text: str) -> None:
    locator.fill(text)
    locator.press("Enter")


def test_every_attribute_type_conditions_globals_links_and_read_back(make_task, bench_for):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": VEHICLES},
                                      "point": {"objects_to_annotate": ["head"]}},
                       "annotation_attributes": ATTRIBUTES, "links": LINKS})
    bench = bench_for(setup)
    bench.start()
    page = bench.page

    # a new car gets its defaults; `parked` is required and flagged at once
    bench.tool("b")
    bench.drag((100, 100), (300, 200))
    bench.pick_label("car")
    (car,) = bench.annotations()
    assert car["attributes"] == {"occlusion": "visible"}
    assert shown(page) == ["occlusion", "parked", "colors", "plate", "heading", "centre"]
    assert "is required" in attribute(page, "parked").inner_text()
    assert page.locator(".wb-row .wb-badge-incomplete").text_content() == "missing"

    # a conditional attribute appears and disappears
    attribute(page, "parked").locator("[data-choice=no]").click()
    assert "speed" in shown(page)
    attribute(page, "parked").locator("[data-choice=yes]").click()
    assert "speed" not in shown(page)
    attribute(page, "parked").locator("[data-choice=no]").click()
    assert page.locator(".wb-row .wb-badge-incomplete").count() == 0

    # a number is refused off its steps, then set
    speed = attribute(page, "speed").locator("input[data-role=value]")
    fill(speed, "52")
    assert "steps of 5" in bench.status()
    assert "speed" not in bench.annotations()[0]["attributes"]
    fill(attribute(page, "speed").locator("input[data-role=value]"), "55")

    # a nested category through the label picker, by typing
    attribute(page, "occlusion").locator("[data-role=choose]").click()
    bench.pick_label("mostly")
    assert attribute(page, "occlusion").locator("[data-role=choose]").inner_text() == \
        "Occluded › Mostly hidden"
    # allow_multiple, text
    attribute(page, "colors").locator("[data-choice=red]").check()
    attribute(page, "colors").locator("[data-choice=white]").check()
    fill(attribute(page, "plate").locator("input[data-role=value]"), "AB-123")

    # the angle dial: a drag to its right-hand side is 90°
    attribute(page, "heading").scroll_into_view_if_needed()
    dial = attribute(page, "heading").locator("[data-role=dial]").bounding_box()
    cx, cy = dial["x"] + dial["width"] / 2, dial["y"] + dial["height"] / 2
    page.mouse.move(cx, cy - 20)
    page.mouse.down()
    page.mouse.move(cx + 10, cy - 10, steps=3)
    page.mouse.move(cx + 22, cy, steps=3)
    page.mouse.up()
    assert bench.annotations()[0]["attributes"]["heading"] == 90
    assert attribute(page, "heading").locator("input[data-role=value]").input_value() == "90"

    # the x_line: placed in the middle, then dragged on the canvas; undo and redo
    attribute(page, "centre").locator("[data-role=place]").click()
    middle = round(car["width"] / 2, 1)  # the box as drawn: about 200 px wide
    assert bench.annotations()[0]["attributes"]["centre"] == middle
    bench.drag((car["left"] + middle, 150), (car["left"] + middle + 50, 160))
    assert near(bench.annotations()[0]["attributes"]["centre"], middle + 50, 0.6)
    assert bench.annotations()[0]["left"] == car["left"], "dragging the line moves no box"
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert bench.annotations()[0]["attributes"]["centre"] == middle
    page.keyboard.press("Control+Shift+z")
    centre = bench.annotations()[0]["attributes"]["centre"]
    assert near(centre, middle + 50, 0.6)

    # a truck, and a link truck → car picked on the canvas
    bench.tool("b")
    bench.drag((350, 100), (500, 220))
    bench.pick_label("truck")
    truck = bench.annotations()[1]
    attribute(page, "parked").locator("[data-choice=yes]").click()
    links = page.locator(".wb-panel-links")
    links.locator("[data-role=link-pick]").click()
    assert page.locator("#workbench").get_attribute("data-tool") == "pick"
    bench.click(250, 180)
    assert bench.page.evaluate("window.__workbench.links()") == [
        {"label": "tows", "from": truck["uuid"], "to": car["uuid"]}]
    assert page.locator("#workbench").get_attribute("data-tool") == "box"
    assert links.locator(".wb-link").count() == 1

    # no rule links a car to a truck: refused with the reason, nothing added
    bench.tool("v")
    bench.click(150, 120)
    assert bench.selection() == [car["uuid"]]
    links.locator("[data-role=link-pick]").click()
    bench.click(420, 160)
    assert "No link rule allows linking box “Vehicle › car” (#1) to box “Vehicle › truck” (#2)" \
        in bench.status()
    bench.focus_canvas()
    page.keyboard.press("Escape")
    assert page.locator("#workbench").get_attribute("data-tool") == "select"
    assert len(bench.page.evaluate("window.__workbench.links()")) == 1

    # a keypoint whose `owner` (linked, required) is picked on the canvas: a truck is refused
    bench.tool("o")
    bench.click(150, 300)
    bench.pick_label("head")
    head = bench.annotations()[2]
    assert "is required" in attribute(page, "owner").inner_text()
    attribute(page, "owner").locator("[data-role=pick]").click()
    bench.click(420, 160)
    assert "must point at an annotation labelled car" in bench.status()
    bench.click(150, 120)
    assert bench.annotations()[2]["attributes"] == {"occlusion": "visible", "owner": car["uuid"]}
    assert attribute(page, "owner").locator("select").input_value() == car["uuid"]

    # global attributes, with a condition of their own
    assert shown(page, "globals") == ["weather"]
    global_attribute(page, "weather").locator("[data-choice=rain]").click()
    global_attribute(page, "rain").locator("[data-choice=heavy]").click()
    assert bench.page.evaluate("window.__workbench.globals()") == {"weather": "rain",
                                                                   "rain": "heavy"}
    global_attribute(page, "weather").locator("[data-choice=sun]").click()
    assert shown(page, "globals") == ["weather"]
    assert bench.page.evaluate("window.__workbench.globals()") == {"weather": "sun"}
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert bench.page.evaluate("window.__workbench.globals()") == {"weather": "rain",
                                                                   "rain": "heavy"}
    page.keyboard.press("Control+Shift+z")

    # deleting the truck takes its link with it; undo brings both back
    bench.tool("v")
    bench.click(420, 160)
    page.keyboard.press("Delete")
    assert bench.page.evaluate("window.__workbench.links()") == []
    page.keyboard.press("Control+z")
    assert len(bench.page.evaluate("window.__workbench.links()")) == 1

    expected = {
        car["uuid"]: {"occlusion": "mostly", "parked": "no", "speed": 55,
                      "colors": ["red", "white"], "plate": "AB-123", "heading": 90,
                      "centre": centre},
        truck["uuid"]: {"occlusion": "visible", "parked": "yes"},
        head["uuid"]: {"occlusion": "visible", "owner": car["uuid"]},
    }
    assert {a["uuid"]: a["attributes"] for a in bench.annotations()} == expected
    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    response = setup.task()["response"]
    assert {a["uuid"]: a["attributes"] for a in response["annotations"]} == expected
    assert response["global_attributes"] == {"weather": "sun"}
    assert response["links"] == [{"label": "tows", "from": truck["uuid"], "to": car["uuid"]}]


def test_missing_required_values_block_the_submit_with_the_reason(make_task, bench_for):
    attributes = {k: v for k, v in ATTRIBUTES.items() if k != "owner"}
    setup = make_task({"geometries": {"box": {"objects_to_annotate": VEHICLES}},
                       "annotation_attributes": attributes})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    bench.tool("b")
    bench.drag((100, 100), (300, 200))
    bench.pick_label("truck")
    bench.focus_canvas()
    page.keyboard.press("Escape")
    bench.submit()
    assert "Not submitted: box “Vehicle › truck” (#1): parked is required" in bench.status()
    assert bench.selection() == [bench.annotations()[0]["uuid"]]
    attribute(page, "parked").locator("[data-choice=yes]").click()
    bench.submit()
    assert "Not submitted: global attributes: weather is required" in bench.status()
    global_attribute(page, "weather").locator("[data-choice=sun]").click()
    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    assert setup.task()["response"]["global_attributes"] == {"weather": "sun"}


BASE = "33333333-3333-4333-8333-000000000001"
FROZEN = "33333333-3333-4333-8333-000000000002"
HYPO = "33333333-3333-4333-8333-000000000003"


def test_base_annotations_refuse_what_their_flags_and_locks_forbid(make_task, bench_for):
    setup = make_task({
        "geometries": {"box": {"objects_to_annotate": VEHICLES}},
        "annotation_attributes": {"parked": ATTRIBUTES["parked"], "plate": ATTRIBUTES["plate"]},
        "links": {"near": [{"is_bidirectional": True, "from_allowed_labels": ["car", "truck"],
                            "to_allowed_labels": ["car", "truck"]}],
                  "follows": [{"from_allowed_labels": ["car"], "to_allowed_labels": ["truck"]}]},
        "base_annotations": {"annotations": [
            {"uuid": BASE, "type": "box", "label": "truck", "left": 300, "top": 100,
             "width": 120, "height": 80, "attributes": {"parked": "yes"}, "locked": True},
            {"uuid": FROZEN, "type": "box", "label": "car", "left": 80, "top": 250,
             "width": 100, "height": 60, "attributes": {"parked": "no"}}]},
        "can_edit_base_annotations": False,
        "can_delete_base_annotations": False,
        "hypothesis": {"annotations": [
            {"uuid": HYPO, "type": "box", "label": "car", "left": 60, "top": 60, "width": 100,
             "height": 70, "attributes": {"parked": "no"}}]},
    })
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    assert [a["uuid"] for a in bench.annotations()] == [BASE, FROZEN, HYPO], "uuids kept"

    bench.click(360, 140)
    assert bench.selection() == [BASE]
    # move, relabel, delete
    bench.drag((360, 140), (420, 200))
    assert bench.annotations()[0]["left"] == 300 and "locked" in bench.status()
    page.keyboard.press("Enter")
    assert not bench.picker().count() and "This base annotation is locked" in bench.status()
    page.keyboard.press("Delete")
    assert len(bench.annotations()) == 3 and "locked" in bench.status()
    # attributes: not offered, with the reason
    panel = page.locator(".wb-panel-attributes")
    assert "This base annotation is locked" in panel.locator(".wb-attrs-locked").inner_text()
    assert attribute(page, "parked").locator("[data-choice=no]").is_disabled()
    assert attribute(page, "plate").locator("input").is_disabled()
    assert page.locator(".wb-panel-links .wb-attrs-locked").is_visible()
    # and by hand around the panel (as a key or a script would): refused, unchanged
    page.evaluate(f"window.__workbench.app.setAttribute('{BASE}', 'parked', 'no')")
    assert bench.annotations()[0]["attributes"] == {"parked": "yes"}
    assert "locked" in bench.status()
    page.evaluate(f"window.__workbench.app.addLink('{BASE}', '{HYPO}')")
    assert page.evaluate("window.__workbench.links()") == []
    assert "locked" in bench.status()

    # can_edit_base_annotations false: the other base annotation's attributes are frozen too
    bench.click(130, 280)
    assert bench.selection() == [FROZEN]
    assert "Base annotations cannot be edited in this task" in \
        page.locator(".wb-panel-attributes .wb-attrs-locked").inner_text()
    page.keyboard.press("Delete")
    assert "cannot be deleted" in bench.status()

    # a link TO a locked annotation, from an ordinary one, is fine: chosen from the list;
    # two link labels allow it, so the picker asks which
    bench.click(110, 95)
    assert bench.selection() == [HYPO]
    links = page.locator(".wb-panel-links")
    links.locator("select[data-role=link-target]").select_option(BASE)
    links.locator("[data-role=link-add]").click()
    assert bench.picker().locator(".wb-picker-title").inner_text().lower() == "link label"
    bench.pick_label("near")
    assert page.evaluate("window.__workbench.links()") == [
        {"label": "near", "from": HYPO, "to": BASE}]
    assert links.locator(".wb-link").inner_text().startswith("near")
    # the hypothesis car may be changed and deleted, and its link goes with it
    attribute(page, "parked").locator("[data-choice=yes]").click()
    assert bench.annotations()[2]["attributes"] == {"parked": "yes"}
    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    response = setup.task()["response"]
    assert [a["uuid"] for a in response["annotations"]] == [BASE, FROZEN, HYPO]
    assert response["links"] == [{"label": "near", "from": HYPO, "to": BASE}]


def test_context_images_prelabel_extras_and_point_connections(make_task, bench_for):
    person = "44444444-4444-4444-8444-000000000001"
    head, foot, other = (f"44444444-4444-4444-8444-00000000001{i}" for i in range(3))
    setup = make_task({
        "geometries": {
            "ellipse": {"objects_to_annotate": ["person"]},
            "point": {"objects_to_annotate": ["head", "foot"], "connections": [
                {"pair": ["head", "foot"], "connection_attribute": "of"}]}},
        "annotation_attributes": {
            "of": {"type": "linked", "allowed_labels": ["person"],
                   "conditions": {"label_condition": {"label": ["head", "foot"]}}},
            "lighting": {"choices": ["day", "night"], "conditions": {"is_global": True}}},
        "links": {"same": [{"is_bidirectional": True, "from_allowed_labels": ["head"],
                            "to_allowed_labels": ["foot"]}]},
        "hypothesis": {
            "annotations": [
                {"uuid": person, "type": "ellipse", "label": "person", "vertices": [
                    {"x": 200, "y": 100}, {"x": 240, "y": 200}, {"x": 200, "y": 300},
                    {"x": 160, "y": 200}]},
                {"uuid": head, "type": "point", "label": "head", "x": 200, "y": 110,
                 "attributes": {"of": person}},
                {"uuid": foot, "type": "point", "label": "foot", "x": 190, "y": 290,
                 "attributes": {"of": person}},
                {"uuid": other, "type": "point", "label": "foot", "x": 400, "y": 290}],
            "global_attributes": {"lighting": "night"},
            "links": [{"label": "same", "from": head, "to": foot}]},
    }, context_sizes=((320, 200),))
    bench = bench_for(setup)
    bench.start()
    page = bench.page

    # the hypothesis' uuids, links and global attributes are the draft's
    assert [a["uuid"] for a in bench.annotations()] == [person, head, foot, other]
    assert page.evaluate("window.__workbench.links()") == [
        {"label": "same", "from": head, "to": foot}]
    assert page.evaluate("window.__workbench.globals()") == {"lighting": "night"}
    # one skeleton line: the foot without `of` joins no group
    page_wait_until(page, lambda: page.evaluate("window.__workbench.stats().connections") == 1)
    assert page.evaluate("window.__workbench.stats().links") == 1

    # giving the other foot the same owner adds a second line
    bench.click(400, 290)
    page.locator(".wb-panel-attributes [data-attribute=of] select").select_option(person)
    page_wait_until(page, lambda: page.evaluate("window.__workbench.stats().connections") == 2)

    # the context image: a thumbnail, enlarged on click, closed with Esc
    thumb = page.locator(".wb-context-thumb img")
    thumb.wait_for(state="visible")
    # (polled: the page's CSP forbids wait_for_function's string evaluation)
    for _ in range(100):
        if thumb.evaluate("img => img.complete && img.naturalWidth") == 320:
            break
        page.wait_for_timeout(50)
    assert thumb.evaluate("img => img.naturalWidth") == 320
    page.locator(".wb-context-thumb").click()
    overlay = page.locator(".wb-lightbox")
    assert overlay.is_visible()
    assert "Context image 1 of 1" in overlay.inner_text()
    for _ in range(100):
        if overlay.locator("img").evaluate("img => img.complete && img.naturalHeight") == 200:
            break
        page.wait_for_timeout(50)
    assert overlay.locator("img").evaluate("img => img.naturalHeight") == 200
    page.keyboard.press("Escape")
    assert not overlay.is_visible()
    assert len(bench.annotations()) == 4, "Esc in the overlay changed nothing else"

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    response = setup.task()["response"]
    assert response["links"] == [{"label": "same", "from": head, "to": foot}]
    assert response["global_attributes"] == {"lighting": "night"}
    assert {a["uuid"]: a["attributes"] for a in response["annotations"]} == {
        person: {}, head: {"of": person}, foot: {"of": person}, other: {"of": person}}
