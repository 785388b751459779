"""What the end-to-end tests share: waiting for a file's published
diagnostics, opening a document."""

import asyncio
import pathlib

from lsprotocol import types
from pytest_lsp import LanguageClient


async def until(client: LanguageClient, uri: str, pred, timeout: float = 20.0):
    """Wait for diagnostics of `uri` that satisfy `pred`."""

    async def loop():
        while True:
            d = client.diagnostics.get(uri)
            if d is not None and pred(d):
                return d
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    try:
        return await asyncio.wait_for(loop(), timeout)
    except TimeoutError:
        raise AssertionError(f"{uri}: {client.diagnostics}")


def open_doc(client: LanguageClient, path: pathlib.Path, language: str = "toml") -> str:
    text = path.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=path.as_uri(), language_id=language, version=1, text=text)
        )
    )
    return text
