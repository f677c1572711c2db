"""A real HTTP server on 127.0.0.1 that serves a JWK Set the test controls.

It counts the requests it got (``hits``), and can answer slowly, with an
error status or with a body that is not a JWK Set. Used by the remote
JWKS tests and by the two-process integration test's issuer.
"""

import json
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from typing_extensions import override

from dmr_jwt.keys import Key

#: The path that the server answers on (any other path too).
JWKS_PATH: Final = '/.well-known/jwks.json'


#: The curve of each ECDSA algorithm.
_CURVES: Final[dict[str, ec.EllipticCurve]] = {
    'ES256': ec.SECP256R1(),
    'ES384': ec.SECP384R1(),
    'ES512': ec.SECP521R1(),
}


def private_pem(algorithm: str = 'EdDSA', *, rsa_bits: int = 2048) -> str:
    """A new private key for *algorithm*, as PKCS#8 PEM text."""
    key_or_rsa: Any
    if algorithm == 'EdDSA':
        key_or_rsa = ed25519.Ed25519PrivateKey.generate()
    elif algorithm in _CURVES:
        key_or_rsa = ec.generate_private_key(_CURVES[algorithm])
    else:
        key_or_rsa = rsa.generate_private_key(
            public_exponent=65537,
            key_size=rsa_bits,
        )
    return str(
        key_or_rsa.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )


def signing_key(kid: str, algorithm: str = 'EdDSA') -> Key:
    """A new active key of *algorithm* (EdDSA) named *kid*."""
    return Key.from_material(kid, algorithm, private_key=private_pem(algorithm))


@final
class JWKSServer:
    """``http.server`` in a thread; what it answers is set by the test."""

    def __init__(self) -> None:
        """Listen on a free port of 127.0.0.1, serving an empty set."""
        self._lock = threading.Lock()
        self._hits = 0
        self._status = 200
        self._body = b'{"keys": []}'
        self._delay = 0.0
        # Set at close: a slow answer ends at once.
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.handle_error = _ignore_error  # type: ignore[method-assign]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={'poll_interval': 0.05},
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The JWKS URL of this server."""
        host, port = self._httpd.server_address[:2]
        return f'http://{host!s}:{port}{JWKS_PATH}'

    @property
    def hits(self) -> int:
        """How many requests it got so far."""
        with self._lock:
            return self._hits

    def publish(self, keys: Iterable[Key]) -> None:
        """Serve the public JWK Set of *keys*, quickly, with 200."""
        self.answer({'keys': [key.public_jwk() for key in keys]})

    def answer(
        self,
        document: Any = None,
        *,
        body: bytes | None = None,
        status: int = 200,
        delay: float = 0.0,
    ) -> None:
        """Serve *document* as JSON (or the raw *body*) from now on."""
        if body is None:
            body = json.dumps(document).encode()
        with self._lock:
            self._status = status
            self._body = body
            self._delay = delay

    def close(self) -> None:
        """Stop serving; later connections are refused."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server._hits += 1
                    status = server._status
                    body = server._body
                    delay = server._delay
                if delay:
                    server._closing.wait(delay)
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            @override
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read the hits, not the log."""

        return Handler


def _ignore_error(request: object, client_address: object) -> None:
    # A client that gave up (its timeout) makes the answer fail: expected.
    return
