"""`apimlint lsp` over stdio with a real LSP client (pytest-lsp), on a copy of
the broken Pattern-1 sample: the files of a node's home besides its
deployment.toml (the cross-region bridge's JNDI properties and event
publisher XML, keystores) are documents of the deployment — their findings are published
on them, an edit re-checks them, and the broker password never appears."""

import os
import pathlib
import shutil
import tempfile

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_helpers import open_doc, until

SERVER = os.environ.get("APIMLINT", "apimlint")
SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "deployments" / "pattern-1-broken"
CLEAN = SAMPLE.parent / "pattern-1"
ROOT = pathlib.Path(tempfile.mkdtemp(prefix="apimlint-e2e-home-"))
JNDI = ROOT / "region-2" / "cp-2" / "repository" / "conf" / "jndi-region1.properties"
XML = ROOT / "region-2" / "cp-2" / "repository" / "deployment" / "server" / "eventpublishers"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[SERVER, "lsp"]))
async def client(lsp_client: LanguageClient):
    shutil.rmtree(ROOT, ignore_errors=True)
    shutil.copytree(SAMPLE, ROOT)
    # the clean sample's keystores (one primary keystore everywhere)
    for sec in CLEAN.glob("*/*/repository/resources/security"):
        shutil.copytree(sec, ROOT / sec.relative_to(CLEAN), dirs_exist_ok=True)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=ROOT.as_uri(), name="broken")],
        )
    )
    yield
    await lsp_client.shutdown_session()
    assert lsp_client._server is not None and lsp_client._server.returncode == 0


@pytest.mark.asyncio
async def test_a_bridge_finding_is_published_on_its_jndi_file_and_goes_when_fixed(client: LanguageClient):
    text = open_doc(client, JNDI, "properties")
    uri = JNDI.as_uri()
    diags = await until(client, uri, lambda ds: any(d.code == "region-bridge-unresolved" for d in ds))
    d = next(d for d in diags if d.code == "region-bridge-unresolved")
    # the physical topic of the token revocation stream, on its own line
    line = text.splitlines()[d.range.start.line]
    assert "topic.tokenRevocation" in line, (line, d)
    assert "tokenRevocation" in d.message
    # no broker password in anything the server published
    secret = text.split("amqp://", 1)[1].split("@", 1)[0]
    assert ":" in secret
    for ds in client.diagnostics.values():
        for x in ds:
            assert secret not in x.message, x.message
    # the fix the server offers is the one edit that makes it right
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    titles = [a.title for a in actions or [] if isinstance(a, types.CodeAction)]
    assert any("tokenRevocation" in t for t in titles), titles
    # edit the file as the fix would: the finding goes
    fixed = text.replace("= tokenrevocation", "= tokenRevocation")
    assert fixed != text
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await until(client, uri, lambda ds: not any(d.code == "region-bridge-unresolved" for d in ds))


@pytest.mark.asyncio
async def test_an_event_publisher_xml_is_a_document_of_the_deployment(client: LanguageClient):
    files = sorted(XML.glob("*.xml"))
    names = [f.read_text().split('name="', 1)[1].split('"', 1)[0] for f in files]
    assert len(files) >= 2, files
    path = files[1]
    text = open_doc(client, path, "xml")
    uri = path.as_uri()
    # typed in the editor: the second publisher takes the first one's name
    renamed = text.replace(f'name="{names[1]}"', f'name="{names[0]}"', 1)
    assert renamed != text
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=renamed)],
        )
    )
    diags = await until(client, uri, lambda ds: any(d.code == "event-publisher-name-duplicate" for d in ds))
    d = next(d for d in diags if d.code == "event-publisher-name-duplicate")
    assert names[0] in d.message, d.message
    assert d.range.start.line == renamed[: renamed.index(f'name="{names[0]}"')].count("\n")
    # and back: the finding goes
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await until(client, uri, lambda ds: not any(d.code == "event-publisher-name-duplicate" for d in ds))


@pytest.mark.asyncio
async def test_a_keystore_replaced_on_disk_re_checks_the_node_that_uses_it(client: LanguageClient):
    """`primary-keystore-mismatch` appears on the TOML of the node whose
    keystore file was replaced, once the client reports the change."""
    toml = ROOT / "region-2" / "cp-1" / "repository" / "conf" / "deployment.toml"
    open_doc(client, toml, "toml")
    uri = toml.as_uri()
    await until(client, uri, lambda ds: not any(d.code == "primary-keystore-mismatch" for d in ds))
    store = ROOT / "region-2" / "cp-1" / "repository" / "resources" / "security" / "apim-primary.jks"
    other = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "keystores" / "other" / "apim-primary.jks"
    shutil.copyfile(other, store)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=store.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    diags = await until(client, uri, lambda ds: any(d.code == "primary-keystore-mismatch" for d in ds))
    d = next(d for d in diags if d.code == "primary-keystore-mismatch")
    line = toml.read_text().splitlines()[d.range.start.line]
    assert "file_name" in line or "alias" in line or "keystore" in line, line
