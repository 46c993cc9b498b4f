"""The lifecycle of a warning (预警): 新 → 已确认 → 处置中 → 已解除, forward only, by the office.

The warnings stage rewrites warnings as demands arrive; their lifecycle lives apart
(``warning_events``), one row per step with who and why, so a re-run never loses it. A warning
without a step is 新.
"""

from __future__ import annotations

from typing import Any

from suqiu.installation import Installation
from suqiu.labels import WARNING_STATE
from suqiu.principals import Principal
from suqiu.twoway.workorders import WorkflowError

MAX_NOTE = 2000
# the states in order; a warning moves forward only
WARNING_STATES: tuple[str, ...] = ("new", "acknowledged", "handling", "resolved")


def next_warning_states(state: str) -> tuple[str, ...]:
    """The states a warning in ``state`` may move to (forward only)."""
    i = WARNING_STATES.index(state) if state in WARNING_STATES else 0
    return WARNING_STATES[i + 1:]


def with_states(app: Installation, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Warnings with their current state, its time, who set it and the states they may move to."""
    states = app.store.warning_states([r["id"] for r in rows])
    out = []
    for r in rows:
        last = states.get(r["id"])
        state = last["state"] if last else WARNING_STATES[0]
        out.append({**r, "state": state, "state_at": last["at"] if last else None,
                    "state_by": last["actor"] if last else None, "state_note": last["note"] if last else None,
                    "next_states": next_warning_states(state)})
    return out


def warnings_with_states(app: Installation, weeks: list[str] | None = None, limit: int = 100) -> list[dict[str, Any]]:
    return with_states(app, app.store.warning_rows(weeks, limit))


def advance_warning(app: Installation, who: Principal, warning_id: str, state: str, note: str | None = None,
                    origin: str = "web") -> dict[str, Any]:
    """Move a warning on to ``state`` (the office only, forward only), with history and audit."""
    if not who.is_office:
        raise WorkflowError(403, "仅信访办可以处置预警")
    row = app.store.warning_row(warning_id) if len(warning_id) <= 40 else None
    if row is None:
        raise WorkflowError(404, f"预警不存在: {warning_id}")
    current = with_states(app, [row])[0]
    if state not in current["next_states"]:
        raise WorkflowError(400, "预警只能按 新 → 已确认 → 处置中 → 已解除 的顺序推进")
    note = (note or "").strip()[:MAX_NOTE] or None
    with app.store.begin() as conn:
        app.store.add_warning_event(warning_id, state, who.actor, note, conn)
        app.store.audit({"actor": who.actor, "role": who.role, "department": who.department, "action": "warning",
                         "record_id": None, "origin": origin,
                         "detail": f"{row['subject']}（{warning_id}）{WARNING_STATE[current['state']]} → "
                                   f"{WARNING_STATE[state]}" + (f"：{note}" if note else "")}, conn)
    return with_states(app, [row])[0]
