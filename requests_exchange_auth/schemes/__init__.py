"""One module per exchange API, each holding its whole signing recipe.

A scheme module is pure code over a transport-neutral request
(:class:`~requests_exchange_auth._draft.Draft`): it imports no HTTP client, and the
adapters (requests, httpx, ``sign()``) carry it to each transport. The registry
(``requests_exchange_auth._registry``) lists them; the package's top level exports
their auth classes.
"""
