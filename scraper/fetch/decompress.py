"""Content-Encoding decoding that never inflates more than a bounded piece at a time.

httpx decodes each network chunk in one call, so a few hundred compressed bytes
of a brotli or zstd bomb become hundreds of megabytes before any size check can
run. These decoders hand out the decompressed body in pieces of about
``MAX_PIECE`` bytes (brotli may overshoot by one buffer step; zstd stops once
``limit`` is passed), so the fetcher's size cap stops a bomb with memory bounded
by the cap, not by the compression ratio.

Errors in the compressed data raise ``httpx.DecodingError``, as httpx's own
decoders do, so the fetcher reports them like any other broken body.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli
import httpx
import zstandard

MAX_PIECE = 64 * 1024


class BodyDecoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]:
        """Decompressed pieces for ``data``; stop iterating to stop decompressing."""
        ...

    def flush(self) -> Iterator[bytes]:
        """What is left once the compressed body has ended."""
        ...


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        yield from ()


class _Zlib:
    """gzip, and deflate with or without its zlib wrapper (servers send both)."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        self._wbits = zlib.MAX_WBITS if self._deflate else 16 + zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            piece = self._first_piece(data)
            while True:
                if piece:
                    yield piece
                pending = self._inflater.unconsumed_tail
                # A full piece may leave output buffered inside zlib even when the
                # input is used up, so ask again until a piece comes back short.
                if not pending and len(piece) < MAX_PIECE:
                    return
                piece = self._inflater.decompress(pending, MAX_PIECE)
        except zlib.error as exc:
            raise httpx.DecodingError(f"invalid compressed body: {exc}") from exc

    def _first_piece(self, data: bytes) -> bytes:
        if self._started or not self._deflate:
            return self._inflater.decompress(data, MAX_PIECE)
        self._started = True
        try:
            return self._inflater.decompress(data, MAX_PIECE)
        except zlib.error:
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
            return self._inflater.decompress(data, MAX_PIECE)

    def flush(self) -> Iterator[bytes]:
        try:
            tail = self._inflater.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(f"invalid compressed body: {exc}") from exc
        if tail:
            yield tail


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            piece = self._decompressor.process(data, output_buffer_limit=MAX_PIECE)
            # Output held back by the limit comes out of calls with no new input;
            # an empty piece means this input is used up.
            while piece:
                yield piece
                piece = self._decompressor.process(b"", output_buffer_limit=MAX_PIECE)
        except brotli.error as exc:
            raise httpx.DecodingError(f"invalid brotli body: {exc}") from exc

    def flush(self) -> Iterator[bytes]:
        yield from ()


class _Full(Exception):
    """Raised by the zstd sink to stop the decompressor once the limit is passed."""


class _Sink:
    """Collects zstd output; refuses more once past the limit (the caller refuses it anyway)."""

    def __init__(self, limit: int) -> None:
        self.pieces: list[bytes] = []
        self.total = 0
        self._limit = limit

    def write(self, data: bytes) -> int:
        self.pieces.append(bytes(data))
        self.total += len(data)
        if self.total > self._limit:
            raise _Full
        return len(data)


class _Zstd:
    """zstd's incremental API has no output bound per call, so its sink holds the bound."""

    def __init__(self, limit: int) -> None:
        self._sink = _Sink(limit)
        self._writer = zstandard.ZstdDecompressor().stream_writer(self._sink, write_size=MAX_PIECE)

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            self._writer.write(data)
        except _Full:
            pass
        except zstandard.ZstdError as exc:
            raise httpx.DecodingError(f"invalid zstd body: {exc}") from exc
        pieces, self._sink.pieces = self._sink.pieces, []
        yield from pieces

    def flush(self) -> Iterator[bytes]:
        yield from ()


class _Chain:
    """``Content-Encoding: gzip, br`` means gzip first, so decoding runs right to left."""

    def __init__(self, decoders: list[BodyDecoder]) -> None:
        self._decoders = decoders

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(1, self._decoders[0].decode(data))

    def flush(self) -> Iterator[bytes]:
        for index, decoder in enumerate(self._decoders):
            yield from self._through(index + 1, decoder.flush())

    def _through(self, index: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        if index == len(self._decoders):
            yield from pieces
            return
        for piece in pieces:
            yield from self._through(index + 1, self._decoders[index].decode(piece))


def body_decoder(content_encoding: str | None, limit: int) -> BodyDecoder:
    """The decoder for a Content-Encoding header; unknown codings pass through as httpx does.

    ``limit`` is the most decompressed bytes the caller will accept; decoders may
    hand out up to one piece more, so the caller's own cap check still fires.
    """
    codings = [
        coding.strip().lower()
        for coding in (content_encoding or "").split(",")
        if coding.strip().lower() not in ("", "identity")
    ]
    decoders = [_decoder(coding, limit) for coding in reversed(codings)]
    if not decoders:
        return _Identity()
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)


def _decoder(coding: str, limit: int) -> BodyDecoder:
    if coding in ("gzip", "x-gzip", "deflate"):
        return _Zlib("deflate" if coding == "deflate" else "gzip")
    if coding == "br":
        return _Brotli()
    if coding == "zstd":
        return _Zstd(limit)
    return _Identity()
