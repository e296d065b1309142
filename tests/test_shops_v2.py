"""Tests of the 2.x test builders: they must match the real OpenCart 2.3.0.2 capture."""

from __future__ import annotations

import json

import pytest

from tests.shops import real_capture_dir
from tests.shops_v2 import build_oc2_schema, php_session
from tests.test_shops import create_tables


def test_built_23_schema_matches_the_real_dump(new_database, root_connection) -> None:
    real = create_tables((real_capture_dir("oc23") / "schema.sql").read_text(), "oc_")
    conn = root_connection(new_database())
    build_oc2_schema(conn, "2.3.0.2")
    shown = []
    with conn.cursor() as cur:
        for name in real:
            cur.execute(f"SHOW CREATE TABLE `oc_{name}`")
            shown.append(cur.fetchone()[1] + ";")
    built = create_tables("\n".join(shown), "oc_")

    assert set(real) == {"api", "api_ip", "api_session", "setting", "store", "user_group"}
    for name in real:
        assert built[name] == real[name], name


@pytest.mark.parametrize(
    "name", ["sess_3b4f4404e3b236ee54efd4c1045619fe", "sess_6e630f9a33d4b2b93cc4df1f34ff81c4"]
)
def test_session_writer_reproduces_real_php_session_files(name: str) -> None:
    folder = real_capture_dir("oc23") / "php-sessions"
    decoded = json.loads((folder / f"{name}.decoded.json").read_text())

    assert php_session(decoded) == (folder / name).read_bytes()
