"""The served app's downloads (the screenshot) on a slow app: textual-serve 1.1.3 gave up
after 4 s and then raised ValueError (task_done on a queue it never took from)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pmipviz.serve import downloads
from pmipviz.serve.downloads import PatientDownloadManager


class FakeApp:
    """An app service that answers each chunk request with the next of ``chunks`` after
    ``delay`` seconds (never, for ``None`` delay)."""

    def __init__(self, manager: PatientDownloadManager, chunks: list[bytes | None],
                 delay: float | None) -> None:
        self.manager, self.chunks, self.delay = manager, chunks, delay
        self.requests = 0

    async def send_meta(self, meta: dict[str, Any]) -> bool:
        self.requests += 1
        if self.delay is not None and self.chunks:
            chunk = self.chunks.pop(0)

            async def later() -> None:
                await asyncio.sleep(self.delay or 0)
                if chunk is None:
                    download = self.manager._active_downloads.get(meta["key"])
                    if download is not None:
                        await download.incoming_chunks.put(None)
                else:
                    await self.manager.chunk_received(meta["key"], chunk)

            asyncio.get_running_loop().create_task(later())
        return True


async def fetch(manager: PatientDownloadManager, app: FakeApp) -> list[bytes]:
    await manager.create_download(app_service=app, delivery_key="k",  # type: ignore[arg-type]
                                  file_name="s.svg", open_method="download",
                                  mime_type="image/svg+xml", encoding="utf-8")
    return [chunk async for chunk in manager.download("k")]


def test_a_slow_app_still_delivers_its_file() -> None:
    """The normal path through the replaced ``download``: chunk requests until the app
    sends its last (empty) chunk; the whole file arrives and the download is closed."""
    manager = PatientDownloadManager()
    app = FakeApp(manager, [b"<svg>", None], delay=0.0)
    assert asyncio.run(fetch(manager, app)) == [b"<svg>"]
    assert not manager.is_active("k") and app.requests == 2


def test_an_app_that_never_answers_ends_the_download_cleanly(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(downloads, "CHUNK_TIMEOUT_S", 0.05)
    manager = PatientDownloadManager()
    app = FakeApp(manager, [], delay=None)
    assert asyncio.run(fetch(manager, app)) == []  # no ValueError, no hang
    assert not manager.is_active("k")


def test_the_wait_for_a_chunk_is_longer_than_the_library_s() -> None:
    from textual_serve import download_manager

    assert downloads.CHUNK_TIMEOUT_S >= 7 * download_manager.DOWNLOAD_TIMEOUT
