"""The urlconfs that the profiles serve, one module per framework.

Every urlconf routes the same paths, so the worker drives them alike:

* ``floor/<mode>/``: the dmr controller without auth (in every profile,
  measured interleaved with the profile's own endpoint);
* ``me/<mode>/``: the protected endpoint, ``{"username": ...}``;
* the obtain and refresh endpoints, where :attr:`AppSpec.tokens` says.

Each module exposes ``BENCH``, an :class:`~benchmarks.apps.spec.AppSpec`.
"""
