"""Stable failure strings for fetches, and the mapping from exceptions to them.

A failed fetch is a measurement: it is stored as one of the strings below and
counted, so they never change spelling. Network and TLS failures use OONI's
vocabulary (https://github.com/ooni/spec/blob/master/data-formats/df-007-errors.md);
``http_*``, ``robots_disallowed``, ``invalid_url``, ``address_not_public`` and
``redirect_off_site`` are untold's own.

``classify_exception`` walks an exception's cause/context chain (httpx wraps
httpcore, which wraps anyio's ``OSError``, which wraps the socket error) and
returns ``(failure, detail)``: the stable string and one readable line.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator

import httpcore
import httpx

__all__ = [
    "ADDRESS_NOT_PUBLIC",
    "ALL_FAILURES",
    "CONNECTION_ABORTED",
    "CONNECTION_REFUSED",
    "CONNECTION_RESET",
    "DNS_NXDOMAIN",
    "DNS_TEMPORARY",
    "EOF_ERROR",
    "HOST_UNREACHABLE",
    "HTTP_BODY_TOO_LARGE",
    "HTTP_DECODING_ERROR",
    "HTTP_DECOMPRESSION_BOMB",
    "HTTP_PROTOCOL_ERROR",
    "HTTP_REDIRECT_LOOP",
    "HTTP_TOO_MANY_REDIRECTS",
    "INVALID_URL",
    "NETWORK_UNREACHABLE",
    "REDIRECT_OFF_SITE",
    "ROBOTS_DISALLOWED",
    "SSL_FAILED_HANDSHAKE",
    "SSL_INVALID_CERTIFICATE",
    "SSL_INVALID_HOSTNAME",
    "SSL_UNKNOWN_AUTHORITY",
    "TIMEOUT",
    "UNKNOWN_FAILURE",
    "AddressNotPublicError",
    "classify_exception",
    "exception_chain",
    "not_public_error",
]

# -- OONI vocabulary ----------------------------------------------------------
DNS_NXDOMAIN = "dns_nxdomain_error"
DNS_TEMPORARY = "dns_temporary_failure"
CONNECTION_REFUSED = "connection_refused"
CONNECTION_RESET = "connection_reset"
CONNECTION_ABORTED = "connection_aborted"
HOST_UNREACHABLE = "host_unreachable"
NETWORK_UNREACHABLE = "network_unreachable"
TIMEOUT = "generic_timeout_error"
SSL_INVALID_HOSTNAME = "ssl_invalid_hostname"
SSL_UNKNOWN_AUTHORITY = "ssl_unknown_authority"
SSL_INVALID_CERTIFICATE = "ssl_invalid_certificate"
SSL_FAILED_HANDSHAKE = "ssl_failed_handshake"
EOF_ERROR = "eof_error"
# -- untold's own -------------------------------------------------------------
HTTP_BODY_TOO_LARGE = "http_body_too_large"
HTTP_DECOMPRESSION_BOMB = "http_decompression_bomb"
HTTP_DECODING_ERROR = "http_decoding_error"  # corrupt or unsupported Content-Encoding
HTTP_PROTOCOL_ERROR = "http_protocol_error"  # a reply that is not HTTP/1.1
HTTP_TOO_MANY_REDIRECTS = "http_too_many_redirects"
HTTP_REDIRECT_LOOP = "http_redirect_loop"
ROBOTS_DISALLOWED = "robots_disallowed"
INVALID_URL = "invalid_url"
# every address of the host is loopback/private/link-local/... and the study does not
# set [fetch] allow_private: nothing was connected to (not retried)
ADDRESS_NOT_PUBLIC = "address_not_public"
# a redirect (of an article, a home page, a revisit) off the outlet's domains: the
# redirect is archived, its target is not fetched
REDIRECT_OFF_SITE = "redirect_off_site"
UNKNOWN_FAILURE = "unknown_failure"

ALL_FAILURES = frozenset({
    DNS_NXDOMAIN, DNS_TEMPORARY, CONNECTION_REFUSED, CONNECTION_RESET, CONNECTION_ABORTED,
    HOST_UNREACHABLE, NETWORK_UNREACHABLE, TIMEOUT, SSL_INVALID_HOSTNAME,
    SSL_UNKNOWN_AUTHORITY, SSL_INVALID_CERTIFICATE, SSL_FAILED_HANDSHAKE, EOF_ERROR,
    HTTP_BODY_TOO_LARGE, HTTP_DECOMPRESSION_BOMB, HTTP_DECODING_ERROR, HTTP_PROTOCOL_ERROR,
    HTTP_TOO_MANY_REDIRECTS, HTTP_REDIRECT_LOOP, ROBOTS_DISALLOWED, INVALID_URL,
    ADDRESS_NOT_PUBLIC, REDIRECT_OFF_SITE, UNKNOWN_FAILURE,
})


class AddressNotPublicError(httpcore.ConnectError):
    """Every address a host resolved to was refused by the address policy.

    Raised by the network backend (``collect.transport``) before any connection
    is made; ``refused`` lists ``(ip, reason)`` in the order they were tried.
    A ``ConnectError`` so httpcore treats it as a failed connect (the pool stays
    sound), and ``classify_exception`` maps it to ``address_not_public``.
    """

    def __init__(self, host: str, port: int, refused: list[tuple[str, str]], *,
                 via: str | None = None) -> None:
        self.host, self.port, self.refused = host, port, list(refused)
        shown = ", ".join(f"{ip} is {why}" for ip, why in self.refused[:4])
        more = f" (and {len(self.refused) - 4} more)" if len(self.refused) > 4 else ""
        how = f" (via {via})" if via else ""
        super().__init__(f"{host}:{port} not connected to: {shown}{more}{how}; only public "
                         "addresses are fetched unless the study sets "
                         "[fetch] allow_private = true")


# OpenSSL X509_V_ERR_* codes (x509_vfy.h) that mean "issuer not trusted"
_UNKNOWN_AUTHORITY_CODES = frozenset({
    2,   # UNABLE_TO_GET_ISSUER_CERT
    18,  # DEPTH_ZERO_SELF_SIGNED_CERT
    19,  # SELF_SIGNED_CERT_IN_CHAIN
    20,  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21,  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
})
_HOSTNAME_MISMATCH_CODES = frozenset({62, 64})  # HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH

_ERRNO_FAILURES = {
    errno.ECONNREFUSED: CONNECTION_REFUSED,
    errno.ECONNRESET: CONNECTION_RESET,
    errno.EPIPE: CONNECTION_RESET,
    errno.ECONNABORTED: CONNECTION_ABORTED,
    errno.EHOSTUNREACH: HOST_UNREACHABLE,
    errno.ENETUNREACH: NETWORK_UNREACHABLE,
    errno.ETIMEDOUT: TIMEOUT,
}
_NXDOMAIN_EAI = frozenset(
    getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, n)
)

_TIMEOUT_TYPES: tuple[type[BaseException], ...] = (
    httpx.TimeoutException, httpcore.TimeoutException, TimeoutError,
)
_EOF_TYPES: tuple[type[BaseException], ...] = (EOFError, ssl.SSLEOFError)


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes/contexts and the members of exception groups."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
        for nxt in (e.__cause__, e.__context__):
            if nxt is not None:
                todo.append(nxt)


def _detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no message"
    return f"{type(exc).__name__}: {text}"[:500]


def _classify_ssl(e: ssl.SSLError) -> str:
    if isinstance(e, ssl.SSLCertVerificationError):
        code = e.verify_code
        if code in _UNKNOWN_AUTHORITY_CODES:
            return SSL_UNKNOWN_AUTHORITY
        if code in _HOSTNAME_MISMATCH_CODES:
            return SSL_INVALID_HOSTNAME
        return SSL_INVALID_CERTIFICATE
    if isinstance(e, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return EOF_ERROR
    return SSL_FAILED_HANDSHAKE


def _classify_one(e: BaseException) -> str | None:
    """The failure one link of the chain proves, or None to look further."""
    if isinstance(e, ssl.SSLWantReadError | ssl.SSLWantWriteError):
        return None  # TLS was waiting for the peer: a stall (timeout), not a TLS verdict
    if isinstance(e, ssl.SSLError):  # before OSError: SSLError is an OSError
        return _classify_ssl(e)
    if isinstance(e, socket.gaierror):
        return DNS_NXDOMAIN if e.errno in _NXDOMAIN_EAI else DNS_TEMPORARY
    if isinstance(e, ConnectionRefusedError):
        return CONNECTION_REFUSED
    if isinstance(e, ConnectionResetError | BrokenPipeError):
        return CONNECTION_RESET
    if isinstance(e, ConnectionAbortedError):
        return CONNECTION_ABORTED
    if isinstance(e, OSError) and e.errno in _ERRNO_FAILURES:
        return _ERRNO_FAILURES[e.errno]
    return None


def _classify_message(e: BaseException) -> str | None:
    """Fallback on message text, for wrappers that dropped the original error."""
    msg = str(e).lower()
    if "connection refused" in msg:
        return CONNECTION_REFUSED
    if "connection reset" in msg:
        return CONNECTION_RESET
    if "certificate verify failed" in msg:
        if "hostname mismatch" in msg or "ip address mismatch" in msg:
            return SSL_INVALID_HOSTNAME
        if "self-signed" in msg or "self signed" in msg or "local issuer" in msg:
            return SSL_UNKNOWN_AUTHORITY
        return SSL_INVALID_CERTIFICATE
    if "name or service not known" in msg or "nodename nor servname" in msg:
        return DNS_NXDOMAIN
    return None


def not_public_error(exc: BaseException) -> AddressNotPublicError | None:
    """The address-policy refusal in ``exc``'s chain, if there is one."""
    return next((e for e in exception_chain(exc) if isinstance(e, AddressNotPublicError)), None)


def classify_exception(exc: BaseException) -> tuple[str, str]:
    """Map an httpx/httpcore/ssl/socket/asyncio exception to ``(failure, detail)``.

    ``failure`` is one of ``ALL_FAILURES``; ``detail`` names the innermost
    error that decided it, on one line (for humans, not for counting).
    """
    refused = not_public_error(exc)
    if refused is not None:  # a policy decision, not a network observation
        return ADDRESS_NOT_PUBLIC, " ".join(str(refused).split())[:500]
    links = list(exception_chain(exc))
    # the most specific proof wins: an errno or TLS verify code deep in the chain
    for e in links:
        found = _classify_one(e)
        if found is not None:
            return found, _detail(e)
    for e in links:
        if isinstance(e, _TIMEOUT_TYPES):
            return TIMEOUT, _detail(e)
    for e in links:
        if isinstance(e, _EOF_TYPES):
            return EOF_ERROR, _detail(e)
        if isinstance(e, httpx.RemoteProtocolError | httpcore.RemoteProtocolError):
            msg = str(e).lower()
            # h11's words for "the peer closed the connection early"
            if "disconnected" in msg or "peer closed" in msg or "incomplete" in msg:
                return EOF_ERROR, _detail(e)
            return HTTP_PROTOCOL_ERROR, _detail(e)
        if isinstance(e, httpx.DecodingError):
            return HTTP_DECODING_ERROR, _detail(e)
        if isinstance(e, httpx.InvalidURL | httpx.UnsupportedProtocol
                      | httpcore.UnsupportedProtocol):
            return INVALID_URL, _detail(e)
    for e in links:
        found = _classify_message(e)
        if found is not None:
            return found, _detail(e)
    return UNKNOWN_FAILURE, _detail(exc)
