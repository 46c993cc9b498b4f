"""The work-order lifecycle (工单流转): which step may follow which status, and who may take it.

One table, ``TRANSITIONS``, that every path goes through: the department's and the office's web
forms and the department API (``suqiu.twoway.workorders``) and routing (``routable``, which
``Store.write_route`` is handed). A re-import of an export only moves a status forward
(``suqiu.store.records.import_wins``, the store's own order of the statuses). The status values
are ``suqiu.model.Status``; their Chinese names are ``suqiu.labels``.

    received 已受理 ─route─▶ routed 已派单 ─sign─▶ signed 已签收 ─interim─▶ in_progress 办理中
        ─answer─▶ replied 已答复 (办结答复) ─callback─▶ called_back 已回访 ─close─▶ closed 已办结
    routed/signed ─return─▶ returned 已退回 (back in the office's triage queue) ─route─▶ routed
    signed/in_progress ─request_extension─▶ extension_requested 延期申请中 ─grant/refuse─▶ in_progress
    signed/in_progress ─suspend─▶ suspended 已挂起 (the clock stops) ─resume─▶ in_progress
    replied/called_back/closed ─reopen─▶ reopened 重办 ─sign─▶ signed …

``replied`` keeps the value earlier releases stored for a reply: it is the answered state. A
department may answer a demand it has not signed for (the API always allowed it); the answer then
counts as its signature. Actors: ``owner`` (the main department, 主办), ``office`` (信访办),
``system`` (the router). Co-handling departments (协办) read, they do not act.
"""

from __future__ import annotations

from suqiu.labels import ACTION, STATUS, label
from suqiu.model import OPEN_STATUSES, Status

OWNER, OFFICE, SYSTEM = "owner", "office", "system"
S = Status
_BOTH = (OWNER, OFFICE)
# statuses a demand leaves when the office moves it to another department (the new one signs again)
_REASSIGNABLE = (S.ROUTED, S.SIGNED, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.SUSPENDED, S.REOPENED)
_WORKING = (S.ROUTED, S.SIGNED, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.SUSPENDED, S.REOPENED)

# (action, from, to, who may take it); a step that leaves the status as it is has from == to
TRANSITIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("route", S.RECEIVED, S.ROUTED, (SYSTEM, OFFICE)),
    ("route", S.RETURNED, S.ROUTED, (SYSTEM, OFFICE)),
    *(("reassign", s, S.ROUTED, (OFFICE,)) for s in _REASSIGNABLE),
    ("sign", S.ROUTED, S.SIGNED, _BOTH),
    ("sign", S.REOPENED, S.SIGNED, _BOTH),
    ("interim", S.SIGNED, S.IN_PROGRESS, _BOTH),
    ("interim", S.IN_PROGRESS, S.IN_PROGRESS, _BOTH),
    ("interim", S.EXTENSION_REQUESTED, S.EXTENSION_REQUESTED, _BOTH),
    *(("answer", s, S.REPLIED, _BOTH) for s in (S.ROUTED, S.SIGNED, S.IN_PROGRESS, S.EXTENSION_REQUESTED,
                                                 S.REOPENED)),
    ("return", S.ROUTED, S.RETURNED, (OWNER,)),
    ("return", S.SIGNED, S.RETURNED, (OWNER,)),
    ("request_extension", S.SIGNED, S.EXTENSION_REQUESTED, (OWNER,)),
    ("request_extension", S.IN_PROGRESS, S.EXTENSION_REQUESTED, (OWNER,)),
    ("grant_extension", S.EXTENSION_REQUESTED, S.IN_PROGRESS, (OFFICE,)),
    ("refuse_extension", S.EXTENSION_REQUESTED, S.IN_PROGRESS, (OFFICE,)),
    ("suspend", S.SIGNED, S.SUSPENDED, (OFFICE,)),
    ("suspend", S.IN_PROGRESS, S.SUSPENDED, (OFFICE,)),
    ("resume", S.SUSPENDED, S.IN_PROGRESS, (OFFICE,)),
    ("callback", S.REPLIED, S.CALLED_BACK, (OFFICE,)),
    ("close", S.REPLIED, S.CLOSED, _BOTH),
    ("close", S.CALLED_BACK, S.CLOSED, (OFFICE,)),
    *(("reopen", s, S.REOPENED, (OFFICE,)) for s in (S.REPLIED, S.CALLED_BACK, S.CLOSED)),
    *(("invite", s, s, _BOTH) for s in _WORKING),
    *(("supervise", s, s, (OFFICE,)) for s in OPEN_STATUSES),
)
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t[0] for t in TRANSITIONS))
_TABLE: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {(a, str(f)): (str(t), who) for a, f, t, who in TRANSITIONS}

# the time limit does not run while a demand is suspended
CLOCK_STOPPED = (S.SUSPENDED.value,)
TIMED_STATUSES = tuple(s for s in OPEN_STATUSES if s not in CLOCK_STOPPED)
# waiting for the department to sign for it
UNSIGNED_STATUSES = (S.ROUTED.value, S.REOPENED.value)


class TransitionError(ValueError):
    """A step the table does not allow; the message is for users (Chinese)."""


def target(action: str, status: str, actor: str) -> str:
    """The status after ``actor`` takes ``action`` on a demand in ``status``; raises TransitionError."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    step = _TABLE.get((action, str(status)))
    if step is None:
        raise TransitionError(f"当前状态为「{label(STATUS, status)}」，不能{label(ACTION, action)}")
    to, who = step
    if actor not in who:
        raise TransitionError(f"{label(ACTION, action)}只能由{'、'.join(_ACTOR_NAMES[w] for w in who)}办理")
    return to


def may(action: str, status: str, actor: str) -> bool:
    step = _TABLE.get((action, str(status)))
    return step is not None and actor in step[1]


def actions_for(status: str, actor: str) -> list[str]:
    """The steps ``actor`` may take on a demand in ``status`` (the forms a page offers)."""
    return [a for a in ACTIONS if may(a, status, actor)]


def routable(actor: str) -> tuple[str, ...]:
    """The statuses a demand leaves for ``routed`` when ``actor`` routes it to a department (the router
    only routes; the office may also reassign), for ``Store.write_route``."""
    return tuple(f for (a, f), (_t, who) in _TABLE.items() if a in ("route", "reassign") and actor in who)


_ACTOR_NAMES = {OWNER: "主办部门", OFFICE: "信访办", SYSTEM: "系统"}
