"""The transition table: what may follow what, for whom, and how re-imports move a status."""

from __future__ import annotations

import pytest

from crawlers.statuses import STATUS_WORDS, map_status
from suqiu import labels
from suqiu.store.records import import_wins
from suqiu.twoway import lifecycle
from suqiu.twoway.lifecycle import OFFICE, OWNER, SYSTEM, TransitionError, actions_for, routable, target
from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES, Status
from suqiu.twoway.warning_steps import next_warning_states


def test_every_status_is_open_or_answered_and_has_a_chinese_name():
    values = {s.value for s in Status}
    assert set(OPEN_STATUSES) | set(ANSWERED_STATUSES) == values
    assert not set(OPEN_STATUSES) & set(ANSWERED_STATUSES)
    assert values <= set(labels.STATUS) and set(lifecycle.ACTIONS) <= set(labels.ACTION)


def test_every_status_can_be_reached_and_left():
    sources = {str(f) for _a, f, t, _w in lifecycle.TRANSITIONS if f != t}
    targets = {str(t) for _a, _f, t, _w in lifecycle.TRANSITIONS}
    assert sources | {"closed"} >= {s.value for s in Status} - {"closed"}
    assert targets >= {s.value for s in Status} - {"received"}


@pytest.mark.parametrize("action,status,actor,expected", [
    ("route", "received", SYSTEM, "routed"), ("route", "returned", OFFICE, "routed"),
    ("sign", "routed", OWNER, "signed"), ("sign", "reopened", OWNER, "signed"),
    ("interim", "signed", OWNER, "in_progress"), ("interim", "extension_requested", OWNER, "extension_requested"),
    ("answer", "routed", OWNER, "replied"), ("answer", "in_progress", OWNER, "replied"),
    ("return", "signed", OWNER, "returned"), ("request_extension", "in_progress", OWNER, "extension_requested"),
    ("grant_extension", "extension_requested", OFFICE, "in_progress"), ("suspend", "in_progress", OFFICE, "suspended"),
    ("resume", "suspended", OFFICE, "in_progress"), ("callback", "replied", OFFICE, "called_back"),
    ("close", "called_back", OFFICE, "closed"), ("reopen", "closed", OFFICE, "reopened"),
    ("supervise", "signed", OFFICE, "signed"), ("reassign", "in_progress", OFFICE, "routed"),
])
def test_allowed_steps(action, status, actor, expected):
    assert target(action, status, actor) == expected


@pytest.mark.parametrize("action,status,actor,message", [
    ("sign", "signed", OWNER, "当前状态为「已签收」，不能签收"),
    ("answer", "closed", OWNER, "当前状态为「已办结」，不能办结答复"),
    ("callback", "in_progress", OFFICE, "当前状态为「办理中」，不能回访"),
    ("grant_extension", "extension_requested", OWNER, "批准延期只能由信访办办理"),
    ("return", "routed", OFFICE, "退回只能由主办部门办理"),
    ("reopen", "replied", OWNER, "重办只能由信访办办理"),
    ("route", "signed", SYSTEM, "当前状态为「已签收」，不能派单"),
    ("close", "called_back", OWNER, "办结只能由信访办办理"),
])
def test_refused_steps_say_why_in_chinese(action, status, actor, message):
    with pytest.raises(TransitionError, match=message):
        target(action, status, actor)


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        target("teleport", "routed", OFFICE)


def test_the_forms_a_page_offers():
    assert actions_for("routed", OWNER) == ["sign", "answer", "return", "invite"]
    assert actions_for("in_progress", OWNER) == ["interim", "answer", "request_extension", "invite"]
    assert "callback" in actions_for("replied", OFFICE) and actions_for("replied", OWNER) == ["close"]
    assert actions_for("closed", OWNER) == []


@pytest.mark.parametrize("incoming,stored,wins", [
    ("received", "routed", False), ("routed", "signed", False), ("in_progress", "signed", True),
    ("replied", "in_progress", True), ("closed", "replied", True), ("replied", "closed", False),
    ("reopened", "closed", True), ("routed", "reopened", True), ("called_back", "replied", True),
    ("signed", "signed", False),
])
def test_a_reimport_only_moves_forward(incoming, stored, wins):
    assert import_wins(incoming, stored) is wins


@pytest.mark.parametrize("wording,status", [
    ("已派单", "routed"), ("待签收", "routed"), ("已签收", "signed"), ("办理中", "in_progress"),
    ("阶段性答复", "in_progress"), ("已答复", "replied"), ("待回访", "replied"), ("已回访", "called_back"),
    ("已办结", "closed"), ("退回", "returned"), ("退回重办", "reopened"), ("状态：已挂起", "suspended"),
    ("replied", "replied"), ("in_progress", "in_progress"),
])
def test_the_one_vocabulary_maps_12345_wordings(wording, status):
    assert map_status(wording) == status


def test_every_vocabulary_code_is_a_status():
    assert set(STATUS_WORDS.values()) <= {s.value for s in Status}


def test_warnings_move_forward_only():
    assert next_warning_states("new") == ("acknowledged", "handling", "resolved")
    assert next_warning_states("handling") == ("resolved",)
    assert next_warning_states("resolved") == ()


def test_routing_moves_what_the_table_lets_the_router_or_the_office_route():
    """The store moves a routed demand's status only from these (``Store.write_route``'s ``routable``)."""
    assert set(routable(SYSTEM)) == {"received", "returned"}
    assert {"received", "returned", "signed", "in_progress", "suspended", "reopened"} <= set(routable(OFFICE))
    assert not {"replied", "called_back", "closed"} & set(routable(OFFICE))
    assert routable(OWNER) == ()
