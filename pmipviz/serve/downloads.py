"""Downloads from a served app (the screenshot), patient on a loaded machine.

textual-serve 1.1.3's ``DownloadManager.download`` waits 4 s for each chunk from the
app; on a timeout it calls ``task_done()`` on a queue it never took from, which raises
``ValueError`` and cuts the download short. An app busy drawing on a loaded 2-core
machine can take longer than that. This subclass waits longer and ends a timed-out
download cleanly; the rest (chunk requests, cancellation) is the library's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator

from textual_serve.download_manager import DOWNLOAD_CHUNK_SIZE, DownloadManager

CHUNK_TIMEOUT_S = 30.0
log = logging.getLogger("pmipviz.serve")


class PatientDownloadManager(DownloadManager):
    """textual-serve's download manager with a 30 s chunk timeout that ends cleanly."""

    def is_active(self, delivery_key: str) -> bool:
        """True while the download ``delivery_key`` is under way."""
        return delivery_key in self._active_downloads

    async def download(self, delivery_key: str) -> AsyncGenerator[bytes, None]:
        app_service = await self._get_app_service(delivery_key)
        download = self._active_downloads[delivery_key]
        chunks = download.incoming_chunks
        while True:
            sent = await app_service.send_meta({
                "type": "deliver_chunk_request", "key": delivery_key,
                "size": DOWNLOAD_CHUNK_SIZE, "name": download.name})
            if not sent:
                self._active_downloads.pop(delivery_key, None)
                return
            try:
                chunk = await asyncio.wait_for(chunks.get(), CHUNK_TIMEOUT_S)
            except TimeoutError:
                log.warning("download %r: no chunk from the app in %g s", delivery_key,
                            CHUNK_TIMEOUT_S)
                self._active_downloads.pop(delivery_key, None)
                return
            chunks.task_done()
            if not chunk:  # the app has sent the whole file, or the download was cancelled
                self._active_downloads.pop(delivery_key, None)
                return
            yield chunk
