from __future__ import annotations

import pytest

from tests.twoway.seed import housing_set


@pytest.fixture
def seeded(app) -> list[str]:
    return housing_set(app.store)


@pytest.fixture
def client(app, seeded):
    from fastapi.testclient import TestClient

    from suqiu.twoway.dispatch import route_pending
    from suqiu.web.application import create_app
    route_pending(app)
    with TestClient(create_app(app)) as c:
        yield c


@pytest.fixture
def tokens(app) -> dict[str, str]:
    from suqiu.twoway.tokens import create_token
    from tests.twoway.seed import HOUSING, LABOUR
    return {"housing": create_token(app, HOUSING, "张工")[1], "labour": create_token(app, LABOUR)[1],
            "office": create_token(app, None, "值班", role="office")[1],
            "client": create_token(app, None, "市民 App", role="client")[1]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
