"""One Django settings module per profile; :mod:`.base` is shared."""
