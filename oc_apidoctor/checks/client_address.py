"""Login step (4.x): which request headers decide the address OpenCart compares with api_ip.

4.0.x overwrites REMOTE_ADDR with the raw X-Forwarded-For header; 4.1.x asks oc_get_ip(),
which prefers CF-Connecting-IP, X-Forwarded-For and friends (spec §5.8, §5.10). Either way a
client chooses the address the allow-list sees, so this is reported as a security finding.
"""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Step


@check("client-address-rule", "Clients cannot choose the address the allow-list sees", Step.LOGIN)
def client_address_rule(spec: CheckSpec, facts: Facts) -> CheckResult:
    rule = facts.address_rule
    if rule is None:
        return spec.skip("this version compares the address the web server reports")
    evidence: dict[str, object] = {
        "client address rule": rule.rule,
        "implemented in": rule.source,
        "headers any client can send": list(rule.client_headers),
    }
    if facts.inputs.ip:
        evidence["address (--ip)"] = facts.inputs.ip
    summary = (
        f"the address compared with {facts.table('api_ip')} comes from request headers "
        f"({', '.join(rule.client_headers[:2])}, …) when present, and any client can send them: "
        "one that knows an allowed address passes the allow-list by claiming it"
    )
    if rule.whole_list:
        summary += (
            "; behind two proxies the whole list ('client, proxy') becomes the address and never "
            "equals an allow-list entry"
        )
    return spec.warn(summary, evidence, fix=rule.fix)
