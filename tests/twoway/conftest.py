from __future__ import annotations

import pytest

from tests.twoway.seed import housing_set


@pytest.fixture
def seeded(app) -> list[str]:
    return housing_set(app.store)
