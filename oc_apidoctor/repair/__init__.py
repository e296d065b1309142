"""Safe repairs of the API allow-list (`add-ip`, `remove-ip`) and its listing (`list-ips`).

Layers, each usable without the CLI: ``address`` (what may be written), ``allowlist``
(reading the table and judging each entry the way OpenCart compares it), ``plan`` (what a
command would change), ``lock`` and ``audit`` (how a write is made safe and recorded),
``operations`` (the three commands' cores), ``verify`` (the re-check after a write),
``listing`` (what `list-ips` judges) and ``report`` (the report and its JSON fields).
No click and no rich in here.
"""
