"""`replay-login`: the HTTP requests an OpenCart admin or API client makes, replayed and judged.

families.py  what each family sends (routes, fields, the 4.1 signature)
parse.py     reading answers as they arrive (PHP messages, BOM, pages instead of JSON)
exchange.py  one request and its answer, shown with every secret masked
shopdb.py    the database side: the rows a login made, the catalog's lookup, --cleanup
engine.py    resolving what to replay, then running the requests
judge.py     the checks around the chain; verdicts.py the login, session and api_id verdicts
"""
