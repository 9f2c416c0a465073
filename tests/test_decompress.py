"""Bounded Content-Encoding decoders: same bytes as a one-shot decode, never a huge piece."""

from __future__ import annotations

import gzip
import zlib

import brotli
import httpx
import pytest
import zstandard
from fault_server import Exchange, FaultServer

from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch import fetch_page, make_client
from scraper.fetch.decompress import MAX_PIECE, body_decoder

BODY = b"<html><body>" + b"".join(b"<p>paragraph %d</p>" % n for n in range(40_000))

# brotli's output limit stops the buffer growing once it reaches MAX_PIECE, so a
# piece can end one growth step (at most as much again) beyond it.
PIECE_BOUND = 2 * MAX_PIECE

COMPRESSORS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def decode_all(encoding: str | None, data: bytes, network_chunk: int = 8192) -> list[bytes]:
    decoder = body_decoder(encoding, limit=len(BODY) * 2)
    pieces: list[bytes] = []
    for start in range(0, len(data), network_chunk):
        pieces.extend(decoder.decode(data[start : start + network_chunk]))
    pieces.extend(decoder.flush())
    return pieces


@pytest.mark.parametrize("encoding", sorted(COMPRESSORS))
def test_round_trip_in_bounded_pieces(encoding: str) -> None:
    pieces = decode_all(encoding, COMPRESSORS[encoding](BODY))
    assert b"".join(pieces) == BODY
    assert max(len(piece) for piece in pieces) <= PIECE_BOUND


def test_raw_deflate_without_zlib_wrapper() -> None:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = packer.compress(BODY) + packer.flush()
    assert b"".join(decode_all("deflate", raw)) == BODY


def test_stacked_encodings_are_undone_right_to_left() -> None:
    data = brotli.compress(gzip.compress(BODY))
    assert b"".join(decode_all("gzip, br", data)) == BODY


@pytest.mark.parametrize("encoding", [None, "identity", "x-unknown"])
def test_identity_and_unknown_codings_pass_through(encoding: str | None) -> None:
    assert b"".join(decode_all(encoding, BODY)) == BODY


def test_one_tiny_input_never_yields_more_than_a_piece_at_a_time() -> None:
    bomb = brotli.compress(b"\0" * 50_000_000)
    assert len(bomb) < 200
    decoder = body_decoder("br", limit=1_000_000)
    first = next(iter(decoder.decode(bomb)))
    assert len(first) <= PIECE_BOUND


def test_zstd_stops_once_the_limit_is_passed() -> None:
    bomb = zstandard.ZstdCompressor().compress(b"\0" * 50_000_000)
    pieces = list(body_decoder("zstd", limit=1_000_000).decode(bomb))
    assert 1_000_000 < sum(map(len, pieces)) <= 1_000_000 + MAX_PIECE


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_corrupt_data_is_a_decoding_error(encoding: str) -> None:
    with pytest.raises(httpx.DecodingError):
        decode_all(encoding, b"this is not compressed at all" * 10)


def test_corrupt_gzip_page_is_a_read_error() -> None:
    def corrupt(exchange: Exchange) -> None:
        exchange.respond(200, b"\x1f\x8b\x08garbage" * 50, headers={"Content-Encoding": "gzip"})

    with (
        FaultServer(routes={"/corrupt": corrupt}) as server,
        make_client() as client,
        pytest.raises(FetchError) as caught,
    ):
        fetch_page(client, server.url("/corrupt"))
    assert caught.value.kind == FetchErrorKind.READ_ERROR
