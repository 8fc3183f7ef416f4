"""Fetching a url: every refused address class, redirects, limits; all against local servers.

No test reaches outside this machine: names resolve through a fake resolver (or are numeric),
and the one server that answers is a local one the fetcher is told, by address and port, that
it may reach. The refusals run with nothing allowed, exactly as in the service.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.ingest.fetch import Fetcher, FetchError, _redirect, refusal, system_resolver
from tests.pages import STORY_HTML

FIRST_PARAGRAPH = (
    "Kenya sent a further 217 police officers to Haiti on Saturday to reinforce the mission, "
    "officials in Nairobi said."
)

NAMES = {
    "intranet.example": ["10.0.0.5"],
    "mixed.example": ["93.184.215.14", "127.0.0.1"],
    "rebind.example": ["169.254.169.254"],
    "v6.example": ["fd00::17"],
}


async def fake_resolver(host: str, _port: int) -> list[str]:
    if host in NAMES:
        return NAMES[host]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def fetcher(
    server: HTTPServer | None = None,
    *,
    resolver: object = fake_resolver,
    timeout_s: float = 5.0,
    max_bytes: int = 100_000,
    max_redirects: int = 5,
) -> Fetcher:
    allow = frozenset({("127.0.0.1", server.port)}) if server else frozenset()
    return Fetcher(
        timeout_s=timeout_s,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        resolver=resolver,  # type: ignore[arg-type]
        allow=allow,
    )


def url(server: HTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


REFUSED = [
    ("http://127.0.0.1/", "url refused: 127.0.0.1 is a loopback address"),
    ("http://127.8.9.10:8080/x", "url refused: 127.8.9.10 is a loopback address"),
    ("http://[::1]/", "url refused: ::1 is a loopback address"),
    ("http://10.1.2.3/", "url refused: 10.1.2.3 is a private address"),
    ("http://172.16.5.4/", "url refused: 172.16.5.4 is a private address"),
    ("http://172.31.255.254/", "url refused: 172.31.255.254 is a private address"),
    ("http://192.168.1.1/", "url refused: 192.168.1.1 is a private address"),
    ("http://[fd12:3456::1]/", "url refused: fd12:3456::1 is a private address"),
    ("http://169.254.10.20/", "url refused: 169.254.10.20 is a link-local address"),
    ("http://[fe80::1]/", "url refused: fe80::1 is a link-local address"),
    (
        "http://169.254.169.254/latest/meta-data/",
        "url refused: 169.254.169.254 is a cloud metadata address",
    ),
    ("http://[fd00:ec2::254]/", "url refused: fd00:ec2::254 is a cloud metadata address"),
    (
        "http://metadata.google.internal/computeMetadata/v1/",
        "url refused: metadata.google.internal is a cloud metadata host",
    ),
    ("http://100.64.0.1/", "url refused: 100.64.0.1 is a carrier-grade NAT address"),
    (
        "http://[::ffff:127.0.0.1]/",
        "url refused: ::ffff:127.0.0.1 is a loopback address (127.0.0.1 inside IPv6)",
    ),
    (
        "http://[::ffff:192.168.0.1]/",
        "url refused: ::ffff:192.168.0.1 is a private address (192.168.0.1 inside IPv6)",
    ),
    (
        "http://[64:ff9b::a9fe:a9fe]/",
        "url refused: 64:ff9b::a9fe:a9fe is a cloud metadata address (169.254.169.254 inside IPv6)",
    ),
    ("http://0.0.0.0/", "url refused: 0.0.0.0 is an unspecified address"),
    ("http://[::]/", "url refused: :: is an unspecified address"),
    ("http://224.0.0.1/", "url refused: 224.0.0.1 is a multicast address"),
    ("http://240.0.0.1/", "url refused: 240.0.0.1 is a reserved address"),
    (
        "http://intranet.example/",
        "url refused: intranet.example resolves to 10.0.0.5, a private address",
    ),
    (
        "https://mixed.example/",
        "url refused: mixed.example resolves to 127.0.0.1, a loopback address",
    ),
    (
        "http://rebind.example/",
        "url refused: rebind.example resolves to 169.254.169.254, a cloud metadata address",
    ),
    ("http://v6.example/", "url refused: v6.example resolves to fd00::17, a private address"),
    ("file:///etc/passwd", "url refused: only http and https urls are fetched, not 'file'"),
    ("ftp://example.org/story.txt", "url refused: only http and https urls are fetched, not 'ftp'"),
    ("gopher://example.org:70/", "url refused: only http and https urls are fetched, not 'gopher'"),
    ("javascript:alert(1)", "url refused: only http and https urls are fetched, not 'javascript'"),
    ("example.org/story", "url refused: the url must start with http:// or https://"),
    ("http:///story", "url refused: the url has no host"),
    ("http://[::1/", "url refused: not a valid url"),
    ("http://exa mple.org/", "url refused: not a valid host name"),
    ("http://xn--/", "url refused: not a valid host name"),
    ("http://-news.example/", "url refused: not a valid host name"),
    ("http://news.example:99999/", "url refused: not a valid port"),
]


@pytest.mark.parametrize(("target", "message"), REFUSED, ids=[m for _, m in REFUSED])
async def test_refused_urls_are_400_before_any_connection(target: str, message: str) -> None:
    with pytest.raises(FetchError) as refused:
        await fetcher().fetch(target)

    assert (refused.value.status, refused.value.message) == (400, message)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("2002:a00:1::1", "a private address (10.0.0.1 inside IPv6)"),  # 6to4
        ("::127.0.0.1", "a loopback address (127.0.0.1 inside IPv6)"),  # IPv4-compatible
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a private address"),  # Teredo
        ("198.18.0.1", "a private address"),  # benchmarking
        ("255.255.255.255", "a reserved address"),
        ("ff02::1", "a multicast address"),
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("2002:808:808::1", None),
    ],
)
def test_public_addresses_pass_and_the_rest_say_what_they_are(
    address: str, kind: str | None
) -> None:
    assert refusal(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    ("target", "address"),
    [("http://2130706433/", "127.0.0.1"), ("http://127.1/", "127.0.0.1")],
)
async def test_numeric_hosts_are_vetted_after_the_system_resolves_them(
    target: str, address: str
) -> None:
    host = target.removeprefix("http://").rstrip("/")

    with pytest.raises(FetchError) as refused:
        await fetcher(resolver=system_resolver).fetch(target)

    assert refused.value.status == 400
    assert refused.value.message == f"url refused: {host} resolves to {address}, a loopback address"


async def test_an_allowed_local_page_is_fetched_and_its_main_text_extracted(
    server: HTTPServer,
) -> None:
    server.expect_request("/story").respond_with_data(
        STORY_HTML, content_type="text/html; charset=utf-8"
    )

    page = await fetcher(server).fetch(url(server, "/story"))

    assert page.url == url(server, "/story")
    assert FIRST_PARAGRAPH in page.text
    assert "about 600 officers" in page.text
    for boilerplate in ("Home", "Copyright", "trackPageView"):
        assert boilerplate not in page.text
    assert page.title == "Kenya reinforces Haiti mission"
    assert page.sitename == "Example Daily"
    assert page.published_at == datetime(2025, 1, 18)


async def test_plain_text_is_decoded_with_its_charset(server: HTTPServer) -> None:
    server.expect_request("/story.txt").respond_with_data(
        "Le café de Nairobi.\n".encode("latin-1"), content_type="text/plain; charset=latin-1"
    )

    page = await fetcher(server).fetch(url(server, "/story.txt"))

    assert page.text == "Le café de Nairobi."
    assert page.title is None


async def test_the_connection_goes_to_the_vetted_address_with_the_urls_host(
    server: HTTPServer,
) -> None:
    # news.example exists only in this resolver: had httpx resolved the name again, it would
    # have failed; the request reached the vetted address and still says which host it wants.
    names = {"news.example": ["127.0.0.1"]}

    async def resolver(host: str, _port: int) -> list[str]:
        return names[host]

    server.expect_request("/story").respond_with_data(
        "Kenya sent officers.", content_type="text/plain"
    )

    page = await fetcher(server, resolver=resolver).fetch(
        f"http://news.example:{server.port}/story"
    )

    assert page.text == "Kenya sent officers."
    request, _response = server.log[0]
    assert request.headers["Host"] == f"news.example:{server.port}"


async def test_redirects_are_followed_to_the_page(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/story"})
    server.expect_request("/story").respond_with_data(STORY_HTML, content_type="text/html")

    page = await fetcher(server).fetch(url(server, "/old"))

    assert page.url == url(server, "/story")
    assert FIRST_PARAGRAPH in page.text


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (
            "http://169.254.169.254/latest/meta-data/",
            "url refused: 169.254.169.254 is a cloud metadata address",
        ),
        ("http://10.0.0.1/admin", "url refused: 10.0.0.1 is a private address"),
        (
            "http://intranet.example/",
            "url refused: intranet.example resolves to 10.0.0.5, a private address",
        ),
        ("file:///etc/passwd", "url refused: only http and https urls are fetched, not 'file'"),
    ],
)
async def test_a_redirect_to_a_refused_address_is_refused(
    server: HTTPServer, location: str, message: str
) -> None:
    server.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": location}
    )

    with pytest.raises(FetchError) as refused:
        await fetcher(server).fetch(url(server, "/moved"))

    assert (refused.value.status, refused.value.message) == (400, message)


@pytest.mark.parametrize("location", ["http://[::1/", "http://news.example:port/"])
def test_a_redirect_to_an_invalid_url_is_502(location: str) -> None:
    # The test server will not send such a Location header, so the step is tested alone.
    with pytest.raises(FetchError) as failed:
        _redirect(httpx.URL("http://news.example/story"), location)

    assert (failed.value.status, failed.value.message) == (
        502,
        "could not fetch the page: it redirects to an invalid url",
    )


async def test_the_allowance_is_for_one_port_only(server: HTTPServer) -> None:
    other = f"http://127.0.0.1:{server.port + 1}/"
    server.expect_request("/moved").respond_with_data("", status=307, headers={"Location": other})

    with pytest.raises(FetchError) as refused:
        await fetcher(server).fetch(url(server, "/moved"))

    assert (refused.value.status, refused.value.message) == (
        400,
        "url refused: 127.0.0.1 is a loopback address",
    )


async def test_redirects_are_bounded(server: HTTPServer) -> None:
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})

    with pytest.raises(FetchError) as failed:
        await fetcher(server, max_redirects=3).fetch(url(server, "/loop"))

    assert (failed.value.status, failed.value.message) == (
        502,
        "could not fetch the page: more than 3 redirects (FACTDIFF_FETCH_MAX_REDIRECTS)",
    )
    assert len(server.log) == 4  # the first request and three redirects followed


async def test_a_page_at_the_size_limit_is_fetched(server: HTTPServer) -> None:
    server.expect_request("/story.txt").respond_with_data("x" * 1000, content_type="text/plain")

    page = await fetcher(server, max_bytes=1000).fetch(url(server, "/story.txt"))

    assert page.text == "x" * 1000


async def test_a_page_over_the_size_limit_is_413(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data("x" * 1001, content_type="text/plain")

    with pytest.raises(FetchError) as refused:
        await fetcher(server, max_bytes=1000).fetch(url(server, "/big"))

    assert (refused.value.status, refused.value.message) == (
        413,
        "the page is larger than 1000 bytes (FACTDIFF_FETCH_MAX_BYTES)",
    )


async def test_an_endless_page_without_a_length_is_cut_off_at_the_limit(
    server: HTTPServer,
) -> None:
    # No Content-Length and no end: only a limit enforced while streaming stops this one
    # (without it the fetch would run into its deadline and fail with another message).
    def endless(_request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            while True:
                yield b"<p>" + b"x" * 1020 + b"</p>"

        return Response(chunks(), content_type="text/html")

    server.expect_request("/endless").respond_with_handler(endless)

    with pytest.raises(FetchError) as refused:
        await fetcher(server, max_bytes=10_000).fetch(url(server, "/endless"))

    assert (refused.value.status, refused.value.message) == (
        413,
        "the page is larger than 10000 bytes (FACTDIFF_FETCH_MAX_BYTES)",
    )


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json"])
async def test_a_page_of_another_type_is_415(server: HTTPServer, content_type: str) -> None:
    server.expect_request("/file").respond_with_data(b"%PDF-1.7", content_type=content_type)

    with pytest.raises(FetchError) as refused:
        await fetcher(server).fetch(url(server, "/file"))

    assert (refused.value.status, refused.value.message) == (
        415,
        f"unsupported content type {content_type!r}: the url must serve an HTML or plain-text page",
    )


@pytest.mark.parametrize("status", [404, 500, 403])
async def test_an_error_status_is_502(server: HTTPServer, status: int) -> None:
    server.expect_request("/story").respond_with_data("gone", status=status)

    with pytest.raises(FetchError) as failed:
        await fetcher(server).fetch(url(server, "/story"))

    assert (failed.value.status, failed.value.message) == (
        502,
        f"could not fetch the page: the server answered {status}",
    )


async def test_a_page_without_text_is_422(server: HTTPServer) -> None:
    server.expect_request("/empty").respond_with_data(
        "<html><body><script>render()</script></body></html>", content_type="text/html"
    )

    with pytest.raises(FetchError) as failed:
        await fetcher(server).fetch(url(server, "/empty"))

    assert (failed.value.status, failed.value.message) == (422, "no article text found on the page")


async def test_a_server_that_does_not_answer_in_time_is_502(server: HTTPServer) -> None:
    release = threading.Event()

    def stalled(_request: Request) -> Response:
        release.wait(10)
        return Response("late", content_type="text/plain")

    server.expect_request("/slow").respond_with_handler(stalled)
    try:
        with pytest.raises(FetchError) as failed:
            await fetcher(server, timeout_s=0.3).fetch(url(server, "/slow"))
    finally:
        release.set()

    assert (failed.value.status, failed.value.message) == (
        502,
        "could not fetch the page: no complete answer within 0.3 s (FACTDIFF_FETCH_TIMEOUT_S)",
    )


async def test_an_unknown_host_is_502() -> None:
    with pytest.raises(FetchError) as failed:
        await fetcher().fetch("https://nowhere.invalid/story")

    assert (failed.value.status, failed.value.message) == (
        502,
        "could not fetch the page: nowhere.invalid could not be resolved",
    )


async def test_a_closed_port_is_502() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    allowed = Fetcher(
        timeout_s=5, max_bytes=1000, max_redirects=0, allow=frozenset({("127.0.0.1", port)})
    )

    with pytest.raises(FetchError) as failed:
        await allowed.fetch(f"http://127.0.0.1:{port}/")

    assert (failed.value.status, failed.value.message) == (
        502,
        "could not fetch the page: ConnectError from 127.0.0.1",
    )
