"""`make bench`: dmr-jwt against its peers, side by side, in one run.

Every profile runs in its own process (its own settings module, database
and caches); the runner collects their JSON results, computes the ratios to
the no-auth floor measured in the same run, and writes ``results/``.
"""
