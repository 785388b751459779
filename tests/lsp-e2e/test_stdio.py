"""`apimlint lsp` end to end over stdio with a real LSP client (pytest-lsp),
on a small deployment this test writes itself (not one of the repository's
fixtures): what a new user sees while editing one file of it."""

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

CP = """[server]
hostname = "cp.eu.example.com"
server_role = "control-plane"

[[apim.gateway.environment]]
name = "Default"
type = "hybrid"
service_url = "https://gw.eu.example.com:9443/services/"
http_endpoint = "http://gw.eu.example.com:8280"
https_endpoint = "https://gw.eu.example.com:8243"

[[apim.gateway.environment]]
name = "Internal"
type = "hybrid"
service_url = "https://gw.eu.example.com:9443/services/"
http_endpoint = "http://gw.eu.example.com:8280"
https_endpoint = "https://gw.eu.example.com:8243"
"""

GW = """[server]
hostname = "gw.eu.example.com"
server_role = "gateway-worker"

[apim.sync_runtime_artifacts.gateway]
gateway_labels = ["Default", "Internal"]

[apim.key_manager]
service_url = "https://cp.eu.example.com:9443/services/"

[apim.event_hub]
enable = true
service_url = "https://cp.eu.example.com:9443/services/"
event_listening_endpoints = ["tcp://cp.eu.example.com:5672"]

[apim.throttling]
service_url = "https://cp.eu.example.com:9443/services/"
throttle_decision_endpoints = ["tcp://tm.eu.example.com:5672"]

[[apim.throttling.url_group]]
traffic_manager_urls = ["tcp://tm.eu.example.com:9611"]
traffic_manager_auth_urls = ["ssl://tm.eu.example.com:9711"]
"""

TM = """[server]
hostname = "tm.eu.example.com"
server_role = "traffic-manager"

[apim.event_hub]
enable = true
service_url = "https://cp.eu.example.com:9443/services/"
event_listening_endpoints = ["tcp://cp.eu.example.com:5672"]

[apim.throttling]
throttle_decision_endpoints = ["tcp://localhost:5672"]
"""

ROOT = pathlib.Path(tempfile.mkdtemp(prefix="apimlint-e2e-"))


def node(name: str) -> pathlib.Path:
    return ROOT / "eu" / name / "repository" / "conf" / "deployment.toml"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[SERVER, "lsp"]))
async def client(lsp_client: LanguageClient):
    shutil.rmtree(ROOT, ignore_errors=True)
    for name, text in (("cp", CP), ("gw", GW), ("tm", TM)):
        node(name).parent.mkdir(parents=True, exist_ok=True)
        node(name).write_text(text)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=ROOT.as_uri(), name="eu")],
        )
    )
    yield
    await lsp_client.shutdown_session()
    assert lsp_client._server is not None and lsp_client._server.returncode == 0


def codes(diags):
    return [d.code for d in diags]


def pos(text: str, needle: str, delta: int = 0) -> types.Position:
    off = text.index(needle) + delta
    line = text[:off].count("\n")
    col = len(text[:off].rsplit("\n", 1)[-1].encode("utf-16-le")) // 2
    return types.Position(line=line, character=col)


def change(client: LanguageClient, path: pathlib.Path, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_editing_one_file_of_a_deployment(client: LanguageClient):
    gw, tm = node("gw"), node("tm")
    uri = gw.as_uri()
    text = open_doc(client, gw)
    await until(client, uri, lambda d: "gateway-label-unmatched" not in codes(d))

    # an unsaved typo in a gateway label is reported on that buffer
    typo = text.replace('"Internal"]', '"Intrenal"]')
    change(client, gw, 2, typo)
    diags = await until(client, uri, lambda d: "gateway-label-unmatched" in codes(d))
    d = diags[0]
    assert d.range.start == pos(typo, '"Intrenal"')
    assert d.code_description is not None and d.code_description.href.endswith("/rules/gateway-label-unmatched.md")
    assert d.related_information and "eu/cp" in d.related_information[0].location.uri

    # the quick fix offers the nearest environment name
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    assert actions and actions[0].title == "Replace with `Internal`"
    assert actions[0].edit.changes[uri][0].new_text == '"Internal"'

    # hover and go-to-definition on a label
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos(typo, '"Default"', 2))
    )
    assert "defined on `eu/cp`" in hover.contents.value
    defs = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos(typo, '"Default"', 2))
    )
    assert len(defs) == 1 and defs[0].uri == node("cp").as_uri()
    assert defs[0].range.start == pos(CP, '"Default"')

    # fixing the typo clears it
    change(client, gw, 3, text)
    await until(client, uri, lambda d: "gateway-label-unmatched" not in codes(d))

    # an offset added to the traffic manager re-publishes the open gateway
    tm_text = open_doc(client, tm)
    moved = tm_text.replace('server_role = "traffic-manager"\n', 'server_role = "traffic-manager"\noffset = 1\n')
    change(client, tm, 2, moved)
    diags = await until(client, uri, lambda d: "throttle-url-unreachable" in codes(d))
    assert any("9612" in x.message for x in diags)
    change(client, tm, 3, tm_text)
    await until(client, uri, lambda d: "throttle-url-unreachable" not in codes(d))

    # broken TOML while typing: toml-syntax, and the server stays up
    change(client, gw, 4, text.replace("[apim.key_manager]", "[apim.key_manager"))
    diags = await until(client, uri, lambda d: "toml-syntax" in codes(d))
    assert codes(diags) == ["toml-syntax"]

    # an unknown request gets an error response
    with pytest.raises(Exception) as err:
        await client.protocol.send_request_async("apimlint/noSuchMethod", {})
    assert "not found" in str(err.value).lower()

    change(client, gw, 5, text)
    await until(client, uri, lambda d: "toml-syntax" not in codes(d))


MANIFEST = """apiVersion: v1
kind: ConfigMap
metadata:
  name: gw2-conf
data:
  deployment.toml: |
    [server]
    hostname = "gw2.eu.example.com"
    server_role = "gateway-worker"

    [apim.sync_runtime_artifacts.gateway]
    gateway_labels = ["Intrenal"]
"""


def apply_edits(text: str, edits) -> str:
    """A workspace edit's text edits applied to `text` (UTF-16 positions)."""

    def offset(p: types.Position) -> int:
        lines = text.split("\n")
        before = sum(len(l) + 1 for l in lines[: p.line])
        line = lines[p.line] if p.line < len(lines) else ""
        units = line.encode("utf-16-le")[: p.character * 2].decode("utf-16-le")
        return before + len(units)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


async def test_a_manifest_in_the_workspace_is_linted_and_fixed(client: LanguageClient):
    """A Kubernetes manifest holding a node's TOML in a literal block: its
    findings are published on the manifest, and the quick fix edits the
    manifest so that the TOML inside reads back fixed."""
    path = ROOT / "eu" / "gw2.yaml"
    path.write_text(MANIFEST)
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=MANIFEST)
        )
    )
    diags = await until(client, uri, lambda d: "gateway-label-unmatched" in codes(d))
    d = next(x for x in diags if x.code == "gateway-label-unmatched")
    assert d.range.start == pos(MANIFEST, '"Intrenal"')
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    fix = next(a for a in actions if a.title == "Replace with `Internal`")
    fixed = apply_edits(MANIFEST, fix.edit.changes[uri])
    assert fixed == MANIFEST.replace("Intrenal", "Internal")
    change(client, path, 2, fixed)
    await until(client, uri, lambda d: "gateway-label-unmatched" not in codes(d))
