"""Fetch an article's page by its url, safely, and extract the page's main text.

Against server-side request forgery: only http and https; the host is resolved here and every
address it resolves to is vetted (no loopback, private, link-local, cloud metadata, CGNAT,
multicast, reserved, nor an IPv6 form that carries one of these); the connection then goes to
the vetted address itself, with the url's Host header and TLS name, so a DNS answer that
changes between the check and the connection cannot move it. Redirects are followed by hand
and every hop is vetted again. The whole fetch has one deadline and a byte limit enforced
while the body streams in.

One module past 300 lines on purpose: the address checks, the hand-followed redirects and the
streaming limits guard one connection together and are reviewed together.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
import trafilatura

from app.core.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
HEADERS = {
    "User-Agent": "factdiff/0.1 (article fetch)",
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
}
METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data"}
    | {"instance-data.ec2.internal", "metadata.azure.com"}
)
# AWS, GCP and Azure (IPv4 and AWS's IPv6), AWS ECS, Alibaba Cloud.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# A DNS label: letters, digits, inner hyphens (and underscores, seen in the wild), 63 at most.
LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
# IPv6 prefixes whose last 32 bits are an IPv4 address that is what gets reached.
IPV4_CARRIERS = (
    ipaddress.ip_network("::/96"),  # IPv4-compatible (deprecated)
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
)


class FetchError(Exception):
    """A url that may not or could not be fetched: an HTTP status and a message to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after redirects
    text: str
    title: str | None = None
    sitename: str | None = None
    published_at: datetime | None = None


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if int(ip) > 1 and any(ip in net for net in IPV4_CARRIERS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress) -> str | None:
    """What kind of address this is when it may not be fetched ("a loopback address"), else None."""
    if (inner := _embedded_ipv4(ip)) is not None:
        kind = refusal(inner)
        return f"{kind} ({inner} inside IPv6)" if kind else None
    checks = (
        (ip in METADATA_ADDRESSES, "a cloud metadata address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.version == 4 and ip in CGNAT, "a carrier-grade NAT address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((kind for refused, kind in checks if refused), None)


@dataclass(frozen=True)
class Fetcher:
    timeout_s: float
    max_bytes: int
    max_redirects: int
    resolver: Resolver = system_resolver
    # (address, port) pairs reachable although not public: a test's local server, say.
    # Empty in the service: there is no switch that turns the protection off.
    allow: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> Fetcher:
        return cls(
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
        )

    async def fetch(self, url: str) -> FetchedPage:
        """The page's main text and metadata, or FetchError with the status to answer."""
        try:
            async with asyncio.timeout(self.timeout_s):
                body, media, charset, final = await self._download(_parse(url))
        except TimeoutError as exc:
            raise FetchError(
                502,
                f"could not fetch the page: no complete answer within {self.timeout_s:g} s "
                "(FACTDIFF_FETCH_TIMEOUT_S)",
            ) from exc
        return await asyncio.to_thread(_extract, body, media, charset, str(final))

    async def _download(self, url: httpx.URL) -> tuple[bytes, str, str | None, httpx.URL]:
        for _hop in range(self.max_redirects + 1):
            address = await self._vetted_address(url)
            try:
                got = await self._get(url, address)
            except httpx.TimeoutException as exc:
                raise TimeoutError from exc
            except httpx.HTTPError as exc:
                raise FetchError(
                    502, f"could not fetch the page: {type(exc).__name__} from {_host(url)}"
                ) from exc
            if isinstance(got, httpx.URL):
                url = got  # vetted again at the top of the loop
                continue
            body, media, charset = got
            return body, media, charset, url
        raise FetchError(
            502,
            f"could not fetch the page: more than {self.max_redirects} redirects "
            "(FACTDIFF_FETCH_MAX_REDIRECTS)",
        )

    async def _get(self, url: httpx.URL, address: str) -> httpx.URL | tuple[bytes, str, str | None]:
        """One request: where it redirects to, or the page's bytes, media type and charset."""
        request = httpx.Request("GET", url, headers=HEADERS)
        # Connect to the vetted address; the Host header and the TLS name stay the url's.
        request.url = url.copy_with(host=address)
        request.extensions["sni_hostname"] = _host(url)
        # A client per hop: a pooled TLS connection is never reused for another host.
        async with httpx.AsyncClient(
            trust_env=False, timeout=self.timeout_s, follow_redirects=False
        ) as client:
            response = await client.send(request, stream=True)
            try:
                if response.has_redirect_location:
                    return _redirect(url, response.headers["location"])
                media, charset = self._check(response)
                return await self._read(response), media, charset
            finally:
                await response.aclose()

    async def _vetted_address(self, url: httpx.URL) -> str:
        host = _host(url)
        if host.rstrip(".").lower() in METADATA_HOSTS:
            raise FetchError(400, f"url refused: {host} is a cloud metadata host")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                found = await self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise FetchError(
                    502, f"could not fetch the page: {host} could not be resolved"
                ) from exc
            addresses = [ipaddress.ip_address(a) for a in found]
            if not addresses:
                raise FetchError(502, f"could not fetch the page: {host} could not be resolved")
        # Every address is vetted, not only the first: the connection may use any of them.
        for ip in addresses:
            if (str(ip), port) in self.allow:
                continue
            if kind := refusal(ip):
                said = f"{host} is" if literal is not None else f"{host} resolves to {ip},"
                raise FetchError(400, f"url refused: {said} {kind}")
        return str(addresses[0])

    def _check(self, response: httpx.Response) -> tuple[str, str | None]:
        if not response.is_success:
            raise FetchError(
                502, f"could not fetch the page: the server answered {response.status_code}"
            )
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in PAGE_TYPES:
            raise FetchError(
                415,
                f"unsupported content type {media[:100] or 'none'!r}: the url must serve "
                "an HTML or plain-text page",
            )
        length = response.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > self.max_bytes:
            raise self._too_large()
        return media, response.charset_encoding

    async def _read(self, response: httpx.Response) -> bytes:
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise self._too_large()
        return bytes(body)

    def _too_large(self) -> FetchError:
        return FetchError(
            413, f"the page is larger than {self.max_bytes} bytes (FACTDIFF_FETCH_MAX_BYTES)"
        )


def _parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise FetchError(400, "url refused: not a valid url") from exc
    if not parsed.scheme:
        raise FetchError(400, "url refused: the url must start with http:// or https://")
    if parsed.scheme not in ("http", "https"):
        scheme = parsed.scheme[:20]
        raise FetchError(400, f"url refused: only http and https urls are fetched, not {scheme!r}")
    host = _host(parsed)
    if not host:
        raise FetchError(400, "url refused: the url has no host")
    if not (_is_ip_literal(host) or _is_hostname(host)):
        raise FetchError(400, "url refused: not a valid host name")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError(400, "url refused: not a valid port")
    return parsed


def _redirect(url: httpx.URL, location: str) -> httpx.URL:
    try:
        target = str(url.join(location))
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise FetchError(502, "could not fetch the page: it redirects to an invalid url") from exc
    return _parse(target)


def _host(url: httpx.URL) -> str:
    # The ASCII (IDNA) form: what DNS and TLS are given, and what cannot fail to decode.
    return url.raw_host.decode("ascii", errors="replace")


def _is_hostname(host: str) -> bool:
    name = host.removesuffix(".")
    return len(name) <= 253 and all(LABEL.fullmatch(label) for label in name.split("."))


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _extract(body: bytes, media: str, charset: str | None, url: str) -> FetchedPage:
    if media == "text/plain":
        try:
            text = body.decode(charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            text = body.decode("utf-8", errors="replace")
        page = FetchedPage(url=url, text=text)
    else:
        doc = trafilatura.bare_extraction(
            body, url=url, with_metadata=True, favor_recall=True, include_comments=False
        )
        if doc is None or isinstance(doc, dict):
            page = FetchedPage(url=url, text="")
        else:
            page = FetchedPage(
                url=url,
                text=doc.text or "",
                title=doc.title or None,
                sitename=doc.sitename or None,
                published_at=_date(doc.date),
            )
    text = unicodedata.normalize("NFC", page.text).strip()
    if not text:
        raise FetchError(422, "no article text found on the page")
    return FetchedPage(page.url, text, page.title, page.sitename, page.published_at)


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
