"""Which catalog URL the 2.x admin order pages call the API at, and whether that can work.

2.0.x: the admin *server* posts to HTTPS_CATALOG. 2.1-2.3: the admin's *browser* calls the URL
the page prints (spec §5.1-5.4, item 4), so the browser's rules apply: no mixed content, and in
2.2/2.3 no cross-origin call, since such a call carries no PHPSESSID cookie (spec §6 F-CROSSORIGIN).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from oc_apidoctor.checks.base import CheckSpec, check, sql_literal
from oc_apidoctor.facts import Facts, OrderUrl, ShopUrls
from oc_apidoctor.model import CheckResult, Step

_NO_URLS = "admin/config.php was not read (pass --shop-root, and --admin-dir if it was renamed)"


@check("catalog-url", "The admin server can post its API login to HTTPS_CATALOG", Step.LOGIN)
def catalog_loopback(spec: CheckSpec, facts: Facts) -> CheckResult:
    urls = facts.urls
    if urls is None:
        return spec.skip(_NO_URLS)
    url = urls.catalog.get("HTTPS_CATALOG", "")
    evidence = {"HTTPS_CATALOG (admin/config.php)": url or "(not set)"}
    problems = _url_problems("HTTPS_CATALOG", url)
    parts = urlsplit(url)
    if not problems and parts.scheme == "https" and _port(url) not in (None, 443):
        # 2.0.3 sets CURLOPT_PORT 443 for any https HTTPS_CATALOG (2.0.3.1:admin/controller/sale/order.php).
        problems.append(
            f"HTTPS_CATALOG uses port {_port(url)}, but 2.0.3 forces port 443 on https URLs, so "
            "the admin's own login goes to the wrong port"
        )
    if problems:
        return spec.fail(
            f"{problems[0]}: the admin gets no API session and its order pages show 'You do not "
            "have permission to modify orders!'",
            evidence,
            fix="In admin/config.php set define('HTTPS_CATALOG', 'https://your-shop/'); with the "
            "shop's URL as the server itself can reach it (port 443 for https).",
        )
    evidence["the admin server posts to"] = f"{url}index.php?route=api/login"
    return spec.ok(
        f"the admin server logs in at {url} itself; whether it can reach that address from the "
        "server is not tested here",
        evidence,
    )


@check("catalog-url", "The admin order pages can call the catalog URL they print", Step.LOGIN)
def admin_catalog_url(spec: CheckSpec, facts: Facts) -> CheckResult:
    urls = facts.urls
    if urls is None:
        return spec.skip(_NO_URLS)
    evidence: dict[str, object] = {}
    problems: list[str] = []
    fixes: list[str] = []
    for admin_name, admin_url, page, name, url in _calls(urls):
        evidence[f"{page} on {admin_name} {admin_url}"] = f"calls {name} = {url or '(not set)'}"
        found = _url_problems(name, url)
        if not found and urlsplit(admin_url).scheme == "https" and urlsplit(url).scheme == "http":
            found = [f"on an https admin the {page} would call {name} {url!r} over http"]
            fixes.append(f"define('{name}', {_php('https' + url[4:])});")
        problems += [p for p in found if p not in problems]
    if not evidence:
        return spec.skip("admin/config.php defines neither HTTP_SERVER nor HTTPS_SERVER")
    if problems:
        return spec.fail(
            f"{problems[0]}: the browser never completes the page's API login (a mixed-content "
            "or bad URL), so every API call from that page fails",
            evidence,
            fix="In admin/config.php: "
            + (
                " ".join(dict.fromkeys(fixes))
                or "give HTTP_CATALOG and HTTPS_CATALOG the shop's URL, ending in '/'."
            ),
        )
    return spec.ok("the order pages call a usable catalog URL", evidence)


@check("catalog-origin", "The admin's browser sends the PHPSESSID cookie to the API", Step.SESSION)
def admin_catalog_origin(spec: CheckSpec, facts: Facts) -> CheckResult:
    urls = facts.urls
    if urls is None:
        return spec.skip(_NO_URLS)
    evidence: dict[str, object] = {}
    crossing: list[tuple[str, str]] = []
    for admin_name, admin_url, _page, _name, url in _calls(urls):
        mine, theirs = _origin(admin_url), _origin(url)
        evidence[f"admin {admin_name}"] = f"{mine} calls the API at {theirs}"
        if mine and theirs and mine != theirs and (mine, theirs) not in crossing:
            crossing.append((mine, theirs))
    if not evidence:
        return spec.skip("admin/config.php defines neither HTTP_SERVER nor HTTPS_SERVER")
    if crossing:
        mine, theirs = crossing[0]
        return spec.fail(
            f"the admin at {mine} calls the API at {theirs}, another origin: the browser sends no "
            "PHPSESSID cookie with it, so each call after the login opens an empty PHP session "
            "without api_id and is refused",
            evidence,
            fix=f"Open the admin at {theirs} (same scheme, host and port as the catalog), or set "
            "HTTP_CATALOG/HTTPS_CATALOG in admin/config.php to the admin's own origin.",
        )
    return spec.ok("the admin and the catalog share one origin, so the cookie travels", evidence)


@check("order-store-urls", "Orders point the order info page at this shop", Step.LOGIN)
def order_store_urls(spec: CheckSpec, facts: Facts) -> CheckResult:
    orders = facts.order_urls
    table = facts.table("order")
    if orders is None:
        return spec.skip(f"{table} has no store_url to read")
    if not orders.inspected:
        return spec.ok("no orders yet", {f"newest {table} rows": 0})
    evidence: dict[str, object] = {
        f"newest {table} rows": orders.inspected,
        "store_url of those orders": [_group(g) for g in orders.groups],
        "this shop's catalog URLs": {str(k): list(v) for k, v in orders.catalog_urls.items()},
    }
    stale = [g for g in orders.groups if g.url not in orders.catalog_urls.get(g.store_id, ())]
    # 2.2.0.0 passes store_url through str_replace('http', 'https') on an https admin.
    doubled = [
        g
        for g in orders.groups
        if orders.https_rewrite and orders.admin_https and g.url.startswith("https")
    ]
    affected = {id(g): g for g in stale + doubled}.values()
    count = sum(g.orders for g in affected)
    if not count:
        return spec.ok(f"all {orders.inspected} newest orders store this shop's URL", evidence)
    report = spec.fail if count == orders.inspected else spec.warn
    if doubled:
        example = doubled[0].url.replace("http", "https")
        summary = (
            f"{count} of the {orders.inspected} newest orders store an https URL, which 2.2.0.0's "
            f"order info page turns into {example!r} on an https admin"
        )
    else:
        summary = (
            f"{count} of the {orders.inspected} newest orders store a URL that is not this shop's "
            f"({stale[0].url!r}): their order info page calls the API there"
        )
    return report(
        summary + "; those pages get no API session",
        evidence,
        fix=_order_fix(facts, stale, doubled),
    )


def _order_fix(facts: Facts, stale: list[OrderUrl], doubled: list[OrderUrl]) -> str:
    table = f"`{facts.table('order')}`"
    orders = facts.order_urls
    assert orders is not None
    statements = []
    for g in stale:
        current = orders.catalog_urls.get(g.store_id, ())
        if current:
            statements.append(
                f"UPDATE {table} SET `store_url` = {sql_literal(current[0])} WHERE `store_id` = "
                f"{g.store_id} AND `store_url` = {sql_literal(g.url)};"
            )
    if doubled:
        statements.append(
            f"UPDATE {table} SET `store_url` = CONCAT('http://', SUBSTRING(`store_url`, 9)) "
            "WHERE `store_url` LIKE 'https://%'; (2.2.0.0 then calls https:// from an https admin)"
        )
    return " ".join(statements) or "Open these orders from the admin of the store they belong to."


def _calls(urls: ShopUrls) -> list[tuple[str, str, str, str, str]]:
    """(admin constant, admin URL, page, catalog constant, catalog URL) per distinct admin URL."""
    calls = []
    for admin_name in ("HTTP_SERVER", "HTTPS_SERVER"):
        admin_url = urls.admin.get(admin_name, "")
        if not admin_url or (
            admin_name == "HTTPS_SERVER" and admin_url == urls.admin.get("HTTP_SERVER")
        ):
            continue
        https = urlsplit(admin_url).scheme == "https"
        for page in urls.pages:
            name = page.over_https if https else page.over_http
            calls.append((admin_name, admin_url, page.page, name, urls.catalog.get(name, "")))
    return calls


def _url_problems(name: str, url: str) -> list[str]:
    parts = urlsplit(url)
    if not url:
        return [f"{name} is not set in admin/config.php"]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"{name} {url!r} is not an absolute http(s) URL"]
    if not url.endswith("/"):
        return [
            f"{name} {url!r} does not end with '/', and OpenCart appends 'index.php?route=…' to it"
        ]
    return []


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{_port(url)}" if _port(url) not in (None, default) else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:  # a port that is not a number: the URL is unusable anyway
        return None


def _php(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _group(g: OrderUrl) -> str:
    return f"store {g.store_id} {g.url!r}: {g.orders} order(s), newest #{g.newest_order_id}"
