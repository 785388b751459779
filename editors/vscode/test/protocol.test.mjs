// The extension's protocol test: drives `apimlint lsp` from Node through
// vscode-languageserver-protocol, the library under vscode-languageclient
// (VS Code itself cannot be downloaded here). APIMLINT names the binary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as rpc from "vscode-languageserver-protocol/node.js";

const SERVER = process.env.APIMLINT ?? "apimlint";

const CP = `[server]
hostname = "cp.r1.example.com"
server_role = "control-plane"

[[apim.gateway.environment]]
name = "Default"
type = "hybrid"
service_url = "https://gw.r1.example.com:9443/services/"
`;

const GW = `[server]
hostname = "gw.r1.example.com"
server_role = "gateway-worker"

[apim.sync_runtime_artifacts.gateway]
gateway_labels = ["Default"]

[apim.throttling]
throttle_decision_endpoints = ["tcp://tm.r1.example.com:5672"]

[[apim.throttling.url_group]]
traffic_manager_urls = ["tcp://tm.r1.example.com:9611"]
traffic_manager_auth_urls = ["ssl://tm.r1.example.com:9711"]
`;

const TM = `[server]
hostname = "tm.r1.example.com"
server_role = "traffic-manager"

[apim.throttling]
throttle_decision_endpoints = ["tcp://localhost:5672"]
`;

function deployment() {
  const root = mkdtempSync(join(tmpdir(), "apimlint-vscode-"));
  const files = {};
  for (const [name, text] of [["cp", CP], ["gw", GW], ["tm", TM]]) {
    const dir = join(root, "r1", name, "repository", "conf");
    mkdirSync(dir, { recursive: true });
    files[name] = join(dir, "deployment.toml");
    writeFileSync(files[name], text);
  }
  return { root, files };
}

test("apimlint lsp through the VS Code protocol stack", { timeout: 60000 }, async () => {
  const { root, files } = deployment();
  const proc = spawn(SERVER, ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
  const conn = rpc.createProtocolConnection(
    new rpc.StreamMessageReader(proc.stdout),
    new rpc.StreamMessageWriter(proc.stdin),
  );
  const published = new Map();
  const waiters = [];
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    published.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) w();
  });
  const until = (uri, pred) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout on ${uri}: ${JSON.stringify(published.get(uri))}`)), 20000);
      const check = () => {
        const d = published.get(uri);
        if (d !== undefined && pred(d)) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(d);
        }
      };
      waiters.push(check);
      check();
    });
  conn.listen();
  try {
    const init = await conn.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: "r1" }],
    });
    assert.equal(init.serverInfo.name, "apimlint");
    assert.equal(init.capabilities.positionEncoding, "utf-16");
    await conn.sendNotification(rpc.InitializedNotification.type, {});

    const gw = pathToFileURL(files.gw).href;
    const text = readFileSync(files.gw, "utf8");
    await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri: gw, languageId: "toml", version: 1, text },
    });
    await until(gw, () => true);

    const typo = text.replace('["Default"]', '["Defualt"]');
    await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri: gw, version: 2 },
      contentChanges: [{ text: typo }],
    });
    const published_ = await until(gw, (d) => d.some((x) => x.code === "gateway-label-unmatched"));
    const diags = published_.filter((x) => x.code === "gateway-label-unmatched");
    assert.deepEqual(diags[0].range.start, { line: 5, character: 18 });
    assert.match(diags[0].codeDescription.href, /gateway-label-unmatched\.md$/);

    const actions = await conn.sendRequest(rpc.CodeActionRequest.type, {
      textDocument: { uri: gw },
      range: diags[0].range,
      context: { diagnostics: diags },
    });
    assert.equal(actions[0].title, "Replace with `Default`");

    // an incremental change (the way VS Code sends them) fixes it
    await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri: gw, version: 3 },
      contentChanges: [{ range: actions[0].edit.changes[gw][0].range, text: '"Default"' }],
    });
    await until(gw, (d) => !d.some((x) => x.code === "gateway-label-unmatched"));

    await assert.rejects(conn.sendRequest("apimlint/noSuchMethod", {}), /not found/i);

    await conn.sendRequest(rpc.ShutdownRequest.type);
    await conn.sendNotification(rpc.ExitNotification.type);
    assert.equal(await exited, 0);
  } finally {
    // a failed test must not leave the server (and so node) running
    if (proc.exitCode === null) proc.kill();
    conn.dispose();
  }
});
