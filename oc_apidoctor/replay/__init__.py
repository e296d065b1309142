"""`replay-login`: the HTTP requests an OpenCart admin or API client makes, replayed and judged.

target.py    what to replay: family, catalog URL, API user and key (options > files > DB)
families.py  what each family sends (routes, fields, the 4.1 signature)
engine.py    running the requests and reading the database around them
parse.py     reading answers as they arrive (PHP messages, BOM, pages instead of JSON)
exchange.py  one request and its answer, shown with every secret masked
shopdb.py    the database side: the rows a login made, the catalog's lookup, --cleanup
judge.py     the checks around the chain; verdicts.py the login, session and api_id steps;
causes.py    why the shop refused, as the database tells it
"""
