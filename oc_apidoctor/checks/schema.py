"""Setup step: the database has every API table and column the shop's code reads.

A half-finished upgrade leaves the files of one release on the schema of an older one; the
family's chain would then fail on a missing table. This check names each gap with its repair.
"""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.shop.version import schema_group

# Column types as OpenCart's install SQL declares them (2.1.0.2 and 3.0.3.9 agree on these).
_COLUMNS = {
    "api.name": "varchar(64) NOT NULL",
    "api.username": "varchar(64) NOT NULL",
    "api.key": "text NOT NULL",
    "api.status": "tinyint(1) NOT NULL",
    "api_ip.api_id": "int(11) NOT NULL",
    "api_ip.ip": "varchar(40) NOT NULL",
    "api_session.api_id": "int(11) NOT NULL",
    "api_session.token": "varchar(32) NOT NULL",
    "api_session.session_id": "varchar(32) NOT NULL",
    "api_session.session_name": "varchar(32) NOT NULL",
    "api_session.ip": "varchar(40) NOT NULL",
    "api_session.date_modified": "datetime NOT NULL",
}

# (table, family group) -> column list of the CREATE TABLE, as the family's install SQL has it.
_TABLES = {
    ("api_ip", None): "`api_ip_id` int(11) NOT NULL AUTO_INCREMENT, `api_id` int(11) NOT NULL, "
    "`ip` varchar(40) NOT NULL, PRIMARY KEY (`api_ip_id`)",
    ("api_session", "2.1-2.3"): "`api_session_id` int(11) NOT NULL AUTO_INCREMENT, "
    "`api_id` int(11) NOT NULL, `token` varchar(32) NOT NULL, `session_id` varchar(32) NOT NULL, "
    "`session_name` varchar(32) NOT NULL, `ip` varchar(40) NOT NULL, "
    "`date_added` datetime NOT NULL, `date_modified` datetime NOT NULL, "
    "PRIMARY KEY (`api_session_id`)",
    ("api_session", "3.0"): "`api_session_id` int(11) NOT NULL AUTO_INCREMENT, "
    "`api_id` int(11) NOT NULL, `session_id` varchar(32) NOT NULL, `ip` varchar(40) NOT NULL, "
    "`date_added` datetime NOT NULL, `date_modified` datetime NOT NULL, "
    "PRIMARY KEY (`api_session_id`)",
    ("session", None): "`session_id` varchar(32) NOT NULL, `data` text NOT NULL, "
    "`expire` datetime NOT NULL, PRIMARY KEY (`session_id`)",
}
_ENGINES = {"session": "InnoDB"}  # the others are MyISAM in every 2.x/3.0 install SQL


@check("schema-complete", "The database has the API tables this version reads", Step.SETUP)
def schema_complete(spec: CheckSpec, facts: Facts) -> CheckResult:
    v = facts.version
    gaps = v.gaps
    evidence: dict[str, object] = {
        "version used": str(v.effective) if v.effective else f"family {v.family or 'unknown'}",
        "schema says": f"{v.schema_family or 'unknown'}: {v.schema_detail}",
    }
    if not gaps:
        return spec.ok("every API table and column this version reads exists", evidence)
    missing = [_describe(g, facts) for g in gaps]
    evidence["missing"] = missing
    group = schema_group(v.family)
    statements = [_repair(g, facts, group) for g in gaps]
    target = str(v.effective) if v.effective else f"family {v.family}"
    return spec.fail(
        f"the database lacks what OpenCart {target} reads ({', '.join(missing)}): "
        "an upgrade that did not finish; every API call fails on it",
        evidence,
        fix=f"Run the OpenCart upgrade for {target} again (its install/ folder); or in SQL: "
        + " ".join(statements),
    )


def _describe(gap: str, facts: Facts) -> str:
    if gap.endswith("-"):
        table, column = gap[:-1].split(".", 1)
        return f"column {facts.table(table)}.{column} added empty by the upgrade's first step"
    if ">" in gap:
        column, new = gap.split(">", 1)
        table, old = column.split(".", 1)
        return f"{facts.table(table)}.{old} not yet renamed to {new}"
    if "." in gap:
        table, column = gap.split(".", 1)
        return f"column {facts.table(table)}.{column}"
    return f"table {facts.table(gap)}"


def _repair(gap: str, facts: Facts, group: str | None) -> str:
    if gap.endswith("-"):
        table, column = gap[:-1].split(".", 1)
        return f"ALTER TABLE `{facts.table(table)}` DROP COLUMN `{column}`;"
    if ">" in gap:
        column, new = gap.split(">", 1)
        table, old = column.split(".", 1)
        return (
            f"ALTER TABLE `{facts.table(table)}` CHANGE `{old}` `{new}` "
            f"{_COLUMNS[f'{table}.{new}']};"
        )
    if "." in gap:
        table, column = gap.split(".", 1)
        return (
            f"ALTER TABLE `{facts.table(table)}` ADD `{column}` "
            f"{_COLUMNS.get(gap, 'varchar(255) NOT NULL')};"
        )
    body = _TABLES.get((gap, group)) or _TABLES[(gap, None)]
    engine = _ENGINES.get(gap, "MyISAM")
    return f"CREATE TABLE `{facts.table(gap)}` ({body}) ENGINE={engine} DEFAULT CHARSET=utf8;"
