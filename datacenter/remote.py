"""Reading a department's published file over HTTP for a scheduled pull, kept off forbidden addresses.

The address is checked on the connected socket itself, for every connection the request makes (a redirect
opens a new one): a name that resolves to a harmless address when checked and to the machine itself when
connected (DNS rebinding) is caught as well.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request
from functools import cache
from typing import Any

from django.conf import settings


class ForbiddenAddress(OSError):
    """The pull's connection reached an address in DATACENTER_PULL_BLOCKED_NETWORKS."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


@cache
def _networks(blocked: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in blocked)


def is_forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 link-local address carries its interface
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in _networks(tuple(settings.DATACENTER_PULL_BLOCKED_NETWORKS)))


def _connect(address: tuple[str, int], timeout: Any, source: Any = None) -> socket.socket:
    sock = socket.create_connection(address, timeout, source)
    peer, own = sock.getpeername()[0], sock.getsockname()[0]
    # A connection whose two ends are the same address reached this machine by one of its own addresses
    # (its intranet or container address), which no list of networks can name in advance. The loopback is
    # the list's to decide.
    if is_forbidden(peer) or (peer == own and not ipaddress.ip_address(peer.split("%", 1)[0]).is_loopback):
        sock.close()
        raise ForbiddenAddress(peer)
    return sock


class _Checked:
    """Connects through `_connect` (HTTPSConnection wraps the socket HTTPConnection.connect opened)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPConnection(_Checked, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Checked, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Redirects stay on http and https: urllib would follow one to ftp:// with a socket of ftplib's own."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise ForbiddenAddress(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def open_url(url: str, timeout: float) -> http.client.HTTPResponse:
    """GET `url` (http or https, checked by the caller), following redirects, never to a forbidden address.

    Built by hand rather than by build_opener, which adds handlers for ftp, file and data URLs and the
    environment's proxy (a proxy would make the connection checked the proxy's, not the department's).
    """
    request = urllib.request.Request(url, headers={"User-Agent": "portal-datacenter"})  # noqa: S310 - scheme checked
    opener = urllib.request.OpenerDirector()
    for handler in (_HTTPHandler(), _HTTPSHandler(), _RedirectHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):  # fmt: skip
        opener.add_handler(handler)
    response: http.client.HTTPResponse = opener.open(request, timeout=timeout)
    return response
