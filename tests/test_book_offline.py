"""book/_ext/rsbook_offline.py: a page's saved widget state keeps only what its views show."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import rsbook_offline


def _page(models: dict, views: list[str]) -> str:
    state = {"version_major": 2, "version_minor": 0, "state": models}
    view_scripts = "".join(
        f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps({"model_id": v})}</script>' for v in views
    )
    return (
        f'<html><body>{view_scripts}<script type="application/vnd.jupyter.widget-state+json">'
        f"{json.dumps(state)}</script></body></html>"
    )


def _saved(html: str) -> set[str]:
    match = rsbook_offline._WIDGET_STATE.search(html)
    return set(json.loads(match.group(2))["state"])


def _model(name: str, **state) -> dict:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "state": state}


MODELS = {
    "a1": _model("VBoxModel", children=["IPY_MODEL_b2", "IPY_MODEL_c3"], layout="IPY_MODEL_d4"),
    "b2": _model("FloatSliderModel", style="IPY_MODEL_e5"),
    "c3": _model("HTMLModel"),
    "d4": _model("LayoutModel"),
    "e5": _model("SliderStyleModel"),
    "f6": _model("AnyModel", _esm="x" * 10, layout="IPY_MODEL_a7"),  # a removed cell's FigureWidget
    "a7": _model("LayoutModel"),
    "b8": _model("LinkModel", source=["IPY_MODEL_b2", "value"], target=["IPY_MODEL_c9", "value"]),
    "c9": _model("IntTextModel"),
}


def test_only_the_shown_widgets_what_they_refer_to_and_links_are_kept():
    html = rsbook_offline.drop_unshown_widgets(_page(MODELS, ["a1"]))
    assert _saved(html) == {"a1", "b2", "c3", "d4", "e5", "b8", "c9"}


def test_a_page_without_views_or_with_nothing_to_drop_is_left_as_it_is():
    page = _page(MODELS, [])
    assert rsbook_offline.drop_unshown_widgets(page) == page
    shown = {k: MODELS[k] for k in ("a1", "b2", "c3", "d4", "e5")}
    page = _page(shown, ["a1"])
    assert rsbook_offline.drop_unshown_widgets(page) == page


def test_a_closing_tag_in_a_kept_state_stays_escaped():
    models = {"a1": _model("HTMLModel", value="<b>p</b>"), "z0": _model("HTMLModel")}
    html = rsbook_offline.drop_unshown_widgets(_page(models, ["a1"]))
    assert "</b>" not in html and _saved(html) == {"a1"}
