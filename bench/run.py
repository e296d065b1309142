"""Benchmark oc-apidoctor against its targets and write bench/RESULTS.md.

Run from the repository root (needs mariadbd and the test extras, as `scripts/test` installs):

    python bench/run.py            # about a minute; --runs N for more repetitions

It starts a private mariadbd in a temporary folder on 127.0.0.1, builds two OpenCart 3.0.5.1
shops (100 session rows, and 1,000,000 `session` + 100,000 `api_session` rows) and measures,
side by side in one run, interleaved, as the median of several runs:

* `oc-apidoctor --help` against `python -c "import click"`          target <= 1.5x
* `check --json` against a bare pymysql script running the same queries  target <= 1.5x
* `check` (human output) against the same script                    target <= 2.5x
* `check --json` on the large shop against the small one            target <= 1.1x
* peak memory (max RSS) of `check --json` on the large shop         target < 60 MB
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.shops import (  # noqa: E402  (the benchmark reuses the tests' shop builders)
    OCUSER,
    OCUSER_PASSWORD,
    build_oc30_schema,
    write_index_php,
    write_oc30_config_files,
)

PYTHON = sys.executable
CLI = [PYTHON, "-m", "oc_apidoctor"]

# The statements `check` sends for a 3.0 shop, in order (see schema.py, flavors/common.py,
# flavors/v30.py); the baseline runs exactly these with nothing else around them.
BASELINE = """
import sys, pymysql
port, db, p = int(sys.argv[1]), sys.argv[2], "oc_"
c = pymysql.connect(host="127.0.0.1", port=port, user="ocuser", password="change-me", database=db,
                    cursorclass=pymysql.cursors.DictCursor, autocommit=True)
cur = c.cursor()
def q(sql, args=()):
    cur.execute(sql, args)
    return cur.fetchall()
q("SET SESSION TRANSACTION READ ONLY")
q("SELECT TABLE_NAME AS t, TABLE_COLLATION AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME LIKE %s", (db, "oc\\\\_%"))
q("SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN (%s, %s, %s, %s, %s)", (db, p+"api", p+"api_ip", p+"api_session", p+"session", p+"setting"))
q(f"SELECT `key`, `value` FROM `{p}setting` WHERE `store_id` = 0 AND `key` IN (%s, %s)", ("config_api_id", "config_timezone"))
q("SELECT NOW() AS now, UTC_TIMESTAMP() AS utc, @@time_zone AS tz, @@system_time_zone AS sys")
q(f"SELECT `api_id`, `username` AS `name`, `key`, `status` FROM `{p}api` ORDER BY `api_id` LIMIT 1000")
rows = q(f"SELECT `api_session_id`, `api_id`, `session_id`, `ip`, `date_modified` FROM `{p}api_session` WHERE `api_id` = %s ORDER BY `api_session_id` DESC LIMIT %s", (1, 20))
ids = [r["session_id"] for r in rows]
q(f"SELECT `session_id`, `data`, `expire` FROM `{p}session` WHERE `session_id` IN ({', '.join(['%s'] * len(ids))})", ids)
q(f"SELECT `api_ip_id`, `api_id`, `ip` FROM `{p}api_ip` ORDER BY `api_ip_id` LIMIT 10000")
"""

EXPLAINED = [
    ("settings", "SELECT `key`, `value` FROM `oc_setting` WHERE `store_id` = 0 AND `key` IN ('config_api_id', 'config_timezone')"),
    ("api users", "SELECT `api_id`, `username`, `key`, `status` FROM `oc_api` ORDER BY `api_id` LIMIT 1000"),
    ("allow-list", "SELECT `api_ip_id`, `api_id`, `ip` FROM `oc_api_ip` ORDER BY `api_ip_id` LIMIT 10000"),
    ("newest API sessions", "SELECT `api_session_id`, `api_id`, `session_id`, `ip`, `date_modified` FROM `oc_api_session` WHERE `api_id` = 1 ORDER BY `api_session_id` DESC LIMIT 20"),
    ("their session data", "SELECT `session_id`, `data`, `expire` FROM `oc_session` WHERE `session_id` IN ('a', 'b', 'c')"),
]


class MariaDB:
    """A throw-away mariadbd on 127.0.0.1 with its data in a temporary folder."""

    def __init__(self, workdir: Path) -> None:
        mariadbd = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin")
        if mariadbd is None:
            sys.exit("bench: mariadbd not found (apt-get install mariadb-server, or run scripts/test once)")
        self.datadir = workdir / "data"
        self.socket = workdir / "mysql.sock"
        self.port = _free_port()
        install = shutil.which("mariadb-install-db") or "mariadb-install-db"
        subprocess.run(
            [install, "--no-defaults", f"--datadir={self.datadir}", "--user=root", "--auth-root-authentication-method=socket"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.process = subprocess.Popen(
            [mariadbd, "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}", f"--port={self.port}",
             "--bind-address=127.0.0.1", "--user=root", "--skip-log-bin", "--innodb-buffer-pool-size=512M", "--default-time-zone=+00:00"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                self.root().close()
                break
            except pymysql.MySQLError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    sys.exit("bench: mariadbd did not start")
                time.sleep(0.2)
        with self.root() as conn, conn.cursor() as cur:
            for host in ("%", "localhost"):
                cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (OCUSER, host, OCUSER_PASSWORD))
                cur.execute("GRANT ALL PRIVILEGES ON *.* TO %s@%s", (OCUSER, host))
            cur.execute("SELECT host FROM mysql.user WHERE user = ''")
            for (host,) in cur.fetchall():
                cur.execute("DROP USER ''@%s", (host,))

    def root(self, db: str | None = None) -> pymysql.connections.Connection:
        return pymysql.connect(unix_socket=str(self.socket), user="root", database=db, autocommit=True)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_shop(server: MariaDB, workdir: Path, name: str, sessions: int, api_sessions: int) -> Path:
    with server.root() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    with server.root(name) as conn:
        build_oc30_schema(conn, "oc_", "utf8mb4")
        with conn.cursor() as cur:
            cur.execute("INSERT INTO oc_api VALUES (1, 'Default', REPEAT('k', 256), 1, NOW(), NOW())")
            cur.execute("INSERT INTO oc_api_ip VALUES (1, 1, '127.0.0.1')")
            cur.execute(
                "INSERT INTO oc_setting (store_id, code, `key`, value, serialized) VALUES "
                "(0, 'config', 'config_api_id', '1', 0), (0, 'config', 'config_timezone', 'UTC', 0)"
            )
            # Every api_session row points at a session row; the rest are other visitors' sessions.
            cur.execute(
                "INSERT INTO oc_session SELECT SUBSTR(MD5(seq), 1, 26), "
                "CONCAT('{\"api_id\":\"1\",\"language\":\"en-gb\",\"n\":', seq, '}'), "
                f"UTC_TIMESTAMP() + INTERVAL 1400 SECOND FROM seq_1_to_{sessions}"
            )
            cur.execute(
                "INSERT INTO oc_api_session (api_id, session_id, ip, date_added, date_modified) "
                "SELECT 1, SUBSTR(MD5(seq), 1, 26), '127.0.0.1', NOW() - INTERVAL seq SECOND, "
                f"NOW() - INTERVAL seq SECOND FROM seq_1_to_{api_sessions} ORDER BY seq DESC"
            )
    root = workdir / name
    write_index_php(root, "define('VERSION', '3.0.5.1');")
    write_oc30_config_files(
        root, db_host="127.0.0.1", db_port=server.port, db_name=name, prefix="oc_", http_server="http://127.0.0.1:8030/"
    )
    return root


def run_once(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(command)} exited {process.returncode}")
    return elapsed, usage.ru_maxrss


def _env() -> dict[str, str]:
    # An installed package has its bytecode compiled (pip does that); a machine that sets
    # PYTHONDONTWRITEBYTECODE would otherwise time the compiler on every run.
    dropped = ("OC_APIDOCTOR_", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)} | {"NO_COLOR": "1"}


def measure(pairs: dict[str, list[list[str]]], runs: int) -> dict[str, list[tuple[float, int]]]:
    """Run every command of every pair once per round, interleaved, ``runs`` rounds."""
    results: dict[str, list[tuple[float, int]]] = {}
    for commands in pairs.values():  # a warm-up round: bytecode caches, the server's buffers
        for command in commands:
            run_once(command)
    for _ in range(runs):
        for name, commands in pairs.items():
            for index, command in enumerate(commands):
                results.setdefault(f"{name}#{index}", []).append(run_once(command))
    return results


def median_time(samples: list[tuple[float, int]]) -> float:
    return statistics.median(t for t, _ in samples)


def explain(server: MariaDB, db: str) -> list[str]:
    lines = []
    with server.root(db) as conn, conn.cursor() as cur:
        for label, sql in EXPLAINED:
            cur.execute("EXPLAIN " + sql)
            names = [d[0] for d in cur.description]
            for row in cur.fetchall():
                plan = dict(zip(names, row, strict=True))
                lines.append(
                    f"| {label} | {plan['table']} | {plan['type']} | {plan['key'] or '—'} | {plan['rows']} | {plan['Extra'] or ''} |"
                )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="repetitions of each measurement (median)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="oc-apidoctor-bench-"))
    server = MariaDB(workdir)
    try:
        print("bench: building the shops (1,000,000 session rows take a little while)…", file=sys.stderr)
        small = build_shop(server, workdir, "small", 100, 100)
        large = build_shop(server, workdir, "large", 1_000_000, 100_000)
        baseline = workdir / "baseline.py"
        baseline.write_text(BASELINE)
        check = [*CLI, "check", "--shop-root"]
        pairs = {
            "help": [[*CLI, "--help"], [PYTHON, "-c", "import click"]],
            "json": [[*check, str(small), "--json"], [PYTHON, str(baseline), str(server.port), "small"]],
            "human": [[*check, str(small)]],
            "scale": [[*check, str(large), "--json"]],
        }
        print(f"bench: measuring, {args.runs} rounds…", file=sys.stderr)
        results = measure(pairs, args.runs)
        plans = explain(server, "large")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    t = {key: median_time(samples) for key, samples in results.items()}
    peak_mb = max(rss for _, rss in results["scale#0"]) / 1024
    rows = [
        ("`--help` vs `python -c 'import click'`", t["help#0"], t["help#1"], 1.5),
        ("`check --json` vs bare pymysql, same queries", t["json#0"], t["json#1"], 1.5),
        ("`check` (human) vs bare pymysql, same queries", t["human#0"], t["json#1"], 2.5),
        ("`check --json`: 1,000,000 sessions vs 100", t["scale#0"], t["json#0"], 1.1),
    ]
    write_results(rows, peak_mb, plans, args.runs)


def write_results(rows: list[tuple[str, float, float, float]], peak_mb: float, plans: list[str], runs: int) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; median of {runs} interleaved runs.",
        "",
        "| measurement | oc-apidoctor | reference | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    all_met = True
    for label, ours, reference, target in rows:
        ratio = ours / reference
        met = ratio <= target
        all_met &= met
        lines.append(f"| {label} | {ours * 1000:.0f} ms | {reference * 1000:.0f} ms | {ratio:.2f}x | <= {target}x | {'yes' if met else 'NO'} |")
    met = peak_mb < 60
    all_met &= met
    lines.append(f"| peak memory of `check --json`, large shop | {peak_mb:.1f} MB | | | < 60 MB | {'yes' if met else 'NO'} |")
    lines += [
        "",
        "## Query plans on the large shop (`EXPLAIN`)",
        "",
        "| query | table | type | key | rows | extra |",
        "| --- | --- | --- | --- | --- | --- |",
        *plans,
        "",
        "`oc_api_session` has no index on `api_id`: the newest rows are read backwards on the primary key",
        "and the scan stops after 20 matches (`index` on PRIMARY, not a full scan). `oc_session` rows",
        "are fetched by primary key only.",
        "",
    ]
    out = REPO / "bench" / "RESULTS.md"
    out.write_text("\n".join(lines))
    print(out.read_text())
    if not all_met:
        sys.exit("bench: a target was missed (see bench/RESULTS.md)")


if __name__ == "__main__":
    main()
