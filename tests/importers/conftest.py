from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"

HEADER = "工单编号,来电时间,诉求标题,诉求内容,区域,办理状态,办理结果"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def write_csv(tmp_path):
    """Write CSV lines (header first) in the given encoding; returns the path."""
    def _write(lines: list[str], name: str = "export.csv", encoding: str = "utf-8", newline: str = "\n") -> Path:
        path = tmp_path / name
        path.write_bytes(newline.join(lines).encode(encoding) + newline.encode(encoding))
        return path
    return _write
