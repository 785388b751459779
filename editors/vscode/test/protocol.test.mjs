// The extension's protocol test: drives `apimlint lsp` from Node through
// vscode-languageserver-protocol, the library under vscode-languageclient
// (VS Code itself cannot be downloaded here). APIMLINT names the binary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

const HERE = dirname(fileURLToPath(import.meta.url));
const SAMPLE = join(HERE, "..", "..", "..", "fixtures", "deployments", "pattern-1-broken");
const HOME = [
  "region-2/cp-2/repository/deployment/server/eventpublishers/tokenRevocationJMSPublisherRegion1.xml",
  "region-2/cp-2/repository/conf/jndi-region1.properties",
];

// The extension attaches to a node's home files: its activation events, its
// documentSelector (the FILES of src/extension.ts) and the path test that
// starts the server when such a file is opened.
test("the extension starts on and serves a node's home files", () => {
  const pkg = JSON.parse(readFileSync(join(HERE, "..", "package.json"), "utf8"));
  for (const e of [
    "workspaceContains:**/repository/deployment/server/eventpublishers/*.xml",
    "workspaceContains:**/repository/conf/jndi*.properties",
  ]) {
    assert.ok(pkg.activationEvents.includes(e), `activationEvents lacks ${e}`);
  }
  const src = readFileSync(join(HERE, "..", "src", "extension.ts"), "utf8");
  const home = src.match(/const HOME_FILES = \[([^\]]*)\]/);
  assert.ok(home, "src/extension.ts has no HOME_FILES");
  const globs = [...home[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(globs, [
    "**/repository/deployment/server/{eventpublishers,userstores}/*.xml",
    "**/repository/conf/jndi*.properties",
  ]);
  assert.match(src, /const FILES = \[[^\]]*\.\.\.HOME_FILES/, "FILES (the documentSelector) lacks HOME_FILES");
  assert.match(src, /documentSelector: FILES\.map\(\(pattern\) => \(\{ scheme: "file", pattern \}\)\)/);
  const re = src.match(/const HOME_PATH = \/(.*)\/;\n/);
  assert.ok(re, "src/extension.ts has no HOME_PATH");
  const homePath = new RegExp(re[1]);
  for (const rel of [...HOME, "region-1/cp-1/repository/deployment/server/userstores/ldap.xml"]) {
    assert.ok(homePath.test(`/x/${rel}`), `HOME_PATH does not match ${rel}`);
  }
  for (const rel of ["pom.xml", "repository/conf/log4j2.properties", "repository/deployment/server/eventpublishers/a/b.xml"]) {
    assert.ok(!homePath.test(`/x/${rel}`), `HOME_PATH matches ${rel}`);
  }
});

// The JNDI file of the sample's bridge, opened as VS Code opens it
// (languageId "properties"), gets its finding on line 7.
test("apimlint lsp publishes on a JNDI properties file", { timeout: 60000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), "apimlint-vscode-home-"));
  cpSync(SAMPLE, root, { recursive: true });
  const proc = spawn(SERVER, ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
  const conn = rpc.createProtocolConnection(
    new rpc.StreamMessageReader(proc.stdout),
    new rpc.StreamMessageWriter(proc.stdin),
  );
  const jndi = pathToFileURL(join(root, HOME[1])).href;
  const found = new Promise((resolve) =>
    conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
      const d = p.uri === jndi && p.diagnostics.find((x) => x.code === "region-bridge-unresolved");
      if (d) resolve(d);
    }),
  );
  conn.listen();
  try {
    await conn.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: "broken" }],
    });
    await conn.sendNotification(rpc.InitializedNotification.type, {});
    await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri: jndi, languageId: "properties", version: 1, text: readFileSync(join(root, HOME[1]), "utf8") },
    });
    let timer;
    const d = await Promise.race([
      found,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no region-bridge-unresolved on the JNDI file")), 20000))),
    ]);
    clearTimeout(timer);
    assert.equal(d.range.start.line, 6);
    await conn.sendRequest(rpc.ShutdownRequest.type);
    await conn.sendNotification(rpc.ExitNotification.type);
    assert.equal(await exited, 0);
  } finally {
    if (proc.exitCode === null) proc.kill();
    conn.dispose();
  }
});
