"""Cache keys that every Django cache backend accepts, built in one place."""

import hashlib
import re
from typing import Final

__all__ = ('safe_cache_key',)

#: Text made of these characters goes into a key as it is (our own jti are
#: uuid4 hex, user ids are digits); anything else is hashed, so that every
#: backend accepts the key (Memcached: no spaces, at most 250 bytes).
_SAFE_TEXT: Final = re.compile(r'[A-Za-z0-9_-]{1,128}')


def safe_cache_key(prefix: str, text: str) -> str:
    """
    Return ``prefix + text``, or ``prefix + 'sha256:' + digest`` when unsafe.

    ``:`` never stands in safe text, so a hashed key never equals the key
    of a text that happens to be a hex digest; distinct texts (lone
    surrogates included) always get distinct keys.
    """
    if _SAFE_TEXT.fullmatch(text):
        return prefix + text
    digest = hashlib.sha256(text.encode(errors='surrogatepass')).hexdigest()
    return f'{prefix}sha256:{digest}'
