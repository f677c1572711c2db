"""``safe_cache_key``: keys that every cache backend accepts, one per text.

Expected keys are computed here with ``hashlib``, not by the code under
test. Hypothesis covers the text space; the tricky pairs are spelled out.
"""

import hashlib
import re
import string
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmr_jwt._internal.cache_keys import safe_cache_key

PREFIX: Final = 'dmr_jwt:test:'

#: What a key may contain after the prefix: Memcached refuses spaces and
#: control characters, and every backend is happy with these.
_KEY_TAIL: Final = re.compile(r'[A-Za-z0-9_:-]+')

#: The longest tail: 128 safe characters, or ``sha256:`` + 64 hex digits.
_MAX_TAIL: Final = 128

_SAFE_ALPHABET: Final = string.ascii_letters + string.digits + '_-'


#: Any text, lone surrogates included (JSON can carry them), and a good
#: share of safe text around the 128-character boundary.
_TEXTS: Final = st.one_of(
    st.text(st.characters(exclude_categories=())),
    st.text(st.characters(categories=['Cs', 'Ll', 'Nd']), max_size=4),
    st.text(alphabet=_SAFE_ALPHABET, min_size=120, max_size=136),
    st.text(alphabet=_SAFE_ALPHABET + ' :', max_size=8),
)


def _hashed(text: str) -> str:
    digest = hashlib.sha256(text.encode(errors='surrogatepass')).hexdigest()
    return f'{PREFIX}sha256:{digest}'


@pytest.mark.parametrize(
    'text',
    [
        pytest.param('1', id='digits'),
        pytest.param('0f9c2d1e4b7a4f0e9d8c7b6a5f4e3d2c', id='uuid4-hex'),
        pytest.param('user_name-42', id='underscore-dash'),
        pytest.param('x' * 128, id='128-chars'),
        pytest.param('3f6c4a9e-1b2d-4c5e-8f7a-9b0c1d2e3f4a', id='uuid'),
    ],
)
def test_safe_text_is_used_as_it_is(text: str) -> None:
    assert safe_cache_key(PREFIX, text) == PREFIX + text


@pytest.mark.parametrize(
    'text',
    [
        pytest.param('', id='empty'),
        pytest.param('x' * 129, id='129-chars'),
        pytest.param('a b', id='space'),
        pytest.param('a:b', id='colon'),
        pytest.param('user@example.com', id='email'),
        pytest.param('naïve', id='non-ascii'),
        pytest.param('١٢٣', id='arabic-digits'),
        pytest.param('line\nbreak', id='newline'),
        pytest.param('nul\x00', id='nul'),
        pytest.param('\ud800', id='lone-surrogate'),
    ],
)
def test_unsafe_text_is_hashed(text: str) -> None:
    key = safe_cache_key(PREFIX, text)

    assert key == _hashed(text)
    assert key.startswith(f'{PREFIX}sha256:')


@pytest.mark.parametrize(
    ('text', 'other'),
    [
        pytest.param(
            'a b',
            hashlib.sha256(b'a b').hexdigest(),
            id='digest-shaped-text-vs-its-preimage',
        ),
        pytest.param(
            'a b',
            'sha256:' + hashlib.sha256(b'a b').hexdigest(),
            id='marked-digest-text-vs-its-preimage',
        ),
        pytest.param('\ud800', '\udc00', id='two-lone-surrogates'),
        pytest.param('\ud800', '\ufffd', id='surrogate-vs-replacement'),
        pytest.param('\ud800', '?', id='surrogate-vs-question-mark'),
        pytest.param('x' * 128, 'x' * 129, id='length-boundary'),
        pytest.param('', ' ', id='empty-vs-space'),
    ],
)
def test_tricky_pairs_get_distinct_keys(text: str, other: str) -> None:
    assert safe_cache_key(PREFIX, text) != safe_cache_key(PREFIX, other)


@given(text=_TEXTS)
def test_any_text_gives_a_backend_safe_key(text: str) -> None:
    key = safe_cache_key(PREFIX, text)

    assert key.startswith(PREFIX)
    tail = key.removeprefix(PREFIX)
    assert _KEY_TAIL.fullmatch(tail)
    assert len(tail) <= _MAX_TAIL
    assert len(key.encode()) <= 250  # Memcached's limit, with our prefix


@given(text=_TEXTS, other=_TEXTS)
def test_distinct_texts_get_distinct_keys(text: str, other: str) -> None:
    if text != other:
        assert safe_cache_key(PREFIX, text) != safe_cache_key(PREFIX, other)


@given(text=st.text(alphabet=_SAFE_ALPHABET, min_size=1, max_size=128))
def test_digest_shaped_safe_text_never_equals_a_hashed_key(text: str) -> None:
    assert safe_cache_key(PREFIX, text) == PREFIX + text
    assert ':' not in safe_cache_key(PREFIX, text).removeprefix(PREFIX)


@given(text=_TEXTS)
def test_keys_follow_the_documented_rule(text: str) -> None:
    # Deterministic: a pure function of the text, the same in every
    # process (no `hash()` salt), so that processes sharing a cache agree.
    is_safe = 1 <= len(text) <= 128 and all(
        char in _SAFE_ALPHABET for char in text
    )
    expected = PREFIX + text if is_safe else _hashed(text)

    assert safe_cache_key(PREFIX, text) == expected
    assert safe_cache_key(PREFIX, text) == expected


def test_prefix_is_kept_verbatim() -> None:
    assert safe_cache_key('a:', 'x') == 'a:x'
    assert safe_cache_key('b:', 'x') == 'b:x'
    assert safe_cache_key('a:', 'x y').startswith('a:sha256:')
