"""Turn a scorer's result dict into text tables or JSON, and write error
records as JSONL. No printing here: functions return strings."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from marsad.errors import InputError

# (metric key, column header) of the ACLED table, in order.
ACLED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("documents", "docs"), ("coverage", "cover"), ("extra_events", "extra"),
    ("event_type", "type"), ("sub_event_type", "sub"), ("sub_event_f1", "subF1"),
    ("actor1", "actor1"), ("actor_pair", "pair"), ("admin1", "admin1"),
    ("location_10km", "10km"), ("fatalities", "fatal"), ("event_date", "date"),
    ("time_precision", "tprec"),
)
GTD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("documents", "docs"), ("coverage", "cover"), ("extra_events", "extra"),
    ("typed_documents", "typed"), ("type_agreement", "type"), ("place_10km", "10km"),
    ("killed", "killed"), ("wounded", "wounded"),
)
CASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("political_documents", "political"), ("coverage", "cover"), ("event_type", "type"),
    ("sub_event_type", "sub"), ("sub_event_f1", "subF1"),
    ("non_political_documents", "non-pol"), ("non_political_fp", "non-pol FP"),
)
PLACES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rows", "rows"), ("resolved", "resolved"), ("within_10km", "10km"), ("admin1", "admin1"),
    ("coverage", "ceiling"),
)
# Rows shown in the confusion and attack-type tables.
TOP_ROWS = 15
DECIMALS = 3


def _cell(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{DECIMALS}f}" if math.isfinite(value) else "-"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned text table: text columns left-aligned, numbers right."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) for r in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(list(headers)), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _metric_table(groups: Sequence[tuple[str, dict]], columns: Sequence[tuple[str, str]], first: str) -> str:
    headers = [first, *(h for _, h in columns)]
    rows = [[name, *(metrics.get(key, float("nan")) for key, _ in columns)] for name, metrics in groups]
    return table(headers, rows)


def _confusion_table(confusions: Sequence[Sequence[object]]) -> str:
    rows = [list(c) for c in confusions[:TOP_ROWS]]
    return table(["gold sub-event type", "predicted", "n"], rows) if rows else "(no confusions)"


def _timing(result: dict) -> str:
    return f"{result['documents']} documents in {result['seconds']:.1f} s ({result['docs_per_s']:.1f} docs/s)"


def render_acled(result: dict) -> str:
    groups: list[tuple[str, dict]] = [("overall" + (f" ({result['country']})" if result.get("country") else ""),
                                       result["overall"])]
    if not result.get("country") and result["focus"]["documents"]:
        groups.append((result["focus_country"], result["focus"]))
    if not result.get("country"):
        groups += [(f"  {name}", m) for name, m in result["by_region"].items()]
    return "\n\n".join([
        f"ACLED: {result['file']}",
        _metric_table(groups, ACLED_COLUMNS, "group"),
        "Top sub-event confusions (gold -> predicted):\n" + _confusion_table(result["confusions"]),
        _timing(result),
    ])


def render_gtd(result: dict) -> str:
    attack_rows = [r for r in result["by_attack_type"][:TOP_ROWS]]
    return "\n\n".join([
        f"GTD: {result['file']}",
        _metric_table([("overall", result["overall"])], GTD_COLUMNS, "group"),
        "Attack type -> predicted sub-event type:\n" + (table(["GTD attack type", "predicted", "n"], attack_rows)
                                                        if attack_rows else "(none)"),
        _timing(result),
    ])


def render_case2021(result: dict) -> str:
    fps = [[label, n] for label, n in result["false_positives_by_label"].items()]
    return "\n\n".join([
        f"CASE 2021 task 2: {result['file']}",
        _metric_table([("overall", result["overall"])], CASE_COLUMNS, "group"),
        "Top sub-event confusions (gold -> predicted):\n" + _confusion_table(result["confusions"]),
        "Non-political snippets given an event, by label:\n" + (table(["label", "n"], fps) if fps else "(none)"),
        _timing(result),
    ])


def render_places(result: dict) -> str:
    return "\n\n".join([
        f"Places (UCDP GED): {result['file']}",
        _metric_table([("overall", result["overall"])], PLACES_COLUMNS, "group"),
        f"{result['overall']['rows']} rows in {result['seconds']:.1f} s",
    ])


def render_geowebnews(result: dict) -> str:
    rec = result["recognition"]
    rec_rows = [[f"{name} ({mode})", m["gold"], m["predicted"], m["precision"], m["recall"], m["f1"]]
                for name, modes in rec.items() for mode, m in modes.items()]
    res = result["resolution"]
    res_rows = [[f"within {km} km", res[f"within_{km}km_of_recognised"], res[f"within_{km}km_of_all"]]
                for km in ("161", "10")]
    type_rows = [[t, m["gold"], m["recall_exact"], m["recall_overlap"], "yes" if m["counted"] else "no"]
                 for t, m in result["by_type"].items()]
    median = res["median_error_km"]
    return "\n\n".join([
        f"Places (GeoWebNews): {result['file']}",
        "Toponym recognition (exact: same start and end; overlap: any shared character):\n"
        + table(["gold set (matching)", "gold", "mentions", "P", "R", "F1"], rec_rows),
        f"Toponym resolution: {res['gold']} gold toponyms with coordinates, {res['recognised']} recognised, "
        f"{res['resolved']} of those placed; median error "
        + (f"{median:.1f} km" if median is not None else "-") + ":\n"
        + table(["", "of recognised", "of all"], res_rows),
        "Recall by gold type:\n" + table(["type", "gold", "exact", "overlap", "counted"], type_rows),
        _timing(result),
    ])


def render_merge(result: dict) -> str:
    from marsad.evaluation.merge import render as render_merge_result

    return render_merge_result(result)


RENDERERS = {"acled": render_acled, "gtd": render_gtd, "case2021": render_case2021, "places": render_places,
             "geowebnews": render_geowebnews, "merge": render_merge}


def render(result: dict) -> str:
    """The text report for any scorer's result."""
    return RENDERERS[result["dataset"]](result)


def to_json(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False)


class ErrorFile:
    """Writes error records as JSON lines; use as a context manager and pass
    the instance as a scorer's ``errors`` callback."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.count = 0
        self._fh: IO[str] | None = None

    def __enter__(self) -> "ErrorFile":
        try:
            self._fh = self.path.open("w", encoding="utf-8")
        except OSError as err:
            raise InputError(f"{self.path}: cannot write error file: {err.strerror or err}") from err
        return self

    def __call__(self, record: dict) -> None:
        assert self._fh is not None, "ErrorFile used outside its with-block"
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
