"""The shipped profiles against the real exports in ../shared/datasets (skipped where absent)."""

import pytest

from crawlers.importers.run import import_file


@pytest.fixture
def fuzhou(shared_datasets):
    return shared_datasets / "fuzhou12345"


def test_fuzhou_csv_imports_and_balances(app, fuzhou):
    s = import_file(app.store, app.config, fuzhou / "hotline_export.csv")
    assert s.profile == "fuzhou12345-hotline" and s.rows_read == 1203 and s.balanced
    assert s.imported >= 1180 and set(s.quarantined_by_reason) <= {"duplicate_key", "duplicate_row"}
    again = import_file(app.store, app.config, fuzhou / "hotline_export.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, s.imported)


def test_fuzhou_xlsx_matches_csv(app, fuzhou):
    s = import_file(app.store, app.config, fuzhou / "hotline_export.csv")
    x = import_file(app.store, app.config, fuzhou / "hotline_export.xlsx")
    assert x.rows_read == 1203 and (x.new, x.updated, x.unchanged) == (0, 0, s.imported)
    assert "汇总" in x.skipped_sheets and len(x.sheets) == 5


def test_fuzhou_records_are_replied_with_district(app, fuzhou):
    import_file(app.store, app.config, fuzhou / "hotline_export.csv")
    recs = list(app.store.iter_records())
    assert all(r["status"] == "replied" and r["district"] for r in recs)
    assert {r["requester_type"] for r in recs} == {"anonymous", "individual"}


def test_fuzhou_portal_messages(app, fuzhou):
    s = import_file(app.store, app.config, fuzhou / "portal_messages.csv")
    assert s.profile == "fuzhou-leader-board" and s.new == 120 and s.quarantined == 0
