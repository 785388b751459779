// The VS Code client of apimlint: it starts `apimlint lsp` for the
// deployment.toml and apimlint.toml files it sees, for the other text files of
// a node's home that the server analyses (event publisher and user store XML,
// JNDI properties), and for Kubernetes manifests and Compose files (YAML
// naming deployment.toml). All analysis is in the
// server; this file only finds the binary, spawns it and forwards file events.
//
// The binary: `apimlint.server.path` when set, else the one bundled in this
// extension (`server/apimlint`, platform .vsix), else `apimlint` on PATH.
// There is at most one server: one configuration listener, and every
// start/stop goes through one queue.
import { execFile } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from "vscode-languageclient/node";

// node files and the project file by name; a node's home files by path (the
// server publishes diagnostics and quick fixes on them too); Kubernetes
// manifests and Compose files are YAML (the server reads those that name
// `deployment.toml`)
const HOME_FILES = [
  "**/repository/deployment/server/{eventpublishers,userstores}/*.xml",
  "**/repository/conf/jndi*.properties",
];
const FILES = ["**/deployment.toml", "**/apimlint.toml", ...HOME_FILES, "**/*.yaml", "**/*.yml"];
/** HOME_FILES as one regular expression on a '/'-separated path. */
const HOME_PATH = /\/repository\/(?:deployment\/server\/(?:eventpublishers|userstores)\/[^/]+\.xml|conf\/jndi[^/]*\.properties)$/;
const NAMES = new Set(["deployment.toml", "apimlint.toml"]);
const NODE_FILE = "deployment.toml";
/** YAML files looked into for a node before the server is started. */
const MANIFESTS_SCANNED = 200;
const SETTING = "apimlint.server.path";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
// every start and stop runs after the previous one has finished
let queue: Promise<void> = Promise.resolve();

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task).catch((e) => log(`error: ${e}`));
  return queue;
}

function log(line: string): void {
  output?.appendLine(`[client] ${line}`);
}

function isYaml(file: string): boolean {
  return /\.ya?ml$/.test(file);
}

/** A home file of a node (event publisher, user store, JNDI file), by path. */
function isHomeFile(file: string): boolean {
  return HOME_PATH.test(file.split(path.sep).join("/"));
}

/** A document that holds a deployment's node: by file name, whatever its
 * language, a node's home file by path, or a YAML manifest that names
 * `deployment.toml`. */
function isOurs(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== "file") {
    return false;
  }
  const name = path.basename(doc.uri.fsPath);
  return NAMES.has(name) || isHomeFile(doc.uri.fsPath) || (isYaml(name) && doc.getText().includes(NODE_FILE));
}

interface Binary {
  command: string;
  /** Where the choice came from, for messages. */
  source: "setting" | "bundled" | "PATH";
}

function binary(context: vscode.ExtensionContext): Binary {
  const configured = vscode.workspace.getConfiguration("apimlint").get<string>("server.path", "").trim();
  if (configured) {
    return { command: configured, source: "setting" };
  }
  const exe = process.platform === "win32" ? "apimlint.exe" : "apimlint";
  const bundled = context.asAbsolutePath(path.join("server", exe));
  if (existsSync(bundled)) {
    ensureExecutable(bundled);
    return { command: bundled, source: "bundled" };
  }
  return { command: "apimlint", source: "PATH" };
}

/** An unpacked .vsix may lose the executable bit: put it back (best effort). */
function ensureExecutable(file: string): void {
  if (process.platform === "win32") {
    return;
  }
  try {
    accessSync(file, constants.X_OK);
  } catch {
    try {
      chmodSync(file, 0o755);
    } catch (e) {
      log(`cannot make ${file} executable: ${e}`);
    }
  }
}

/** Runs `<binary> --version`; resolves to the version line or rejects with why not. */
function probe(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, ["--version"], { timeout: 15000, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        reject(code === "ENOENT" ? "not found" : code === "EACCES" ? "not executable" : `${err.message.trim()} ${stderr}`.trim());
      } else if (!stdout.startsWith("apimlint")) {
        reject(`\`--version\` printed ${JSON.stringify(stdout.trim().slice(0, 80))}, not apimlint's version`);
      } else {
        resolve(stdout.trim());
      }
    });
  });
}

async function complain(bin: Binary, why: string): Promise<void> {
  const where =
    bin.source === "setting"
      ? `\`${bin.command}\` (from the setting \`${SETTING}\`)`
      : bin.source === "PATH"
        ? "`apimlint` on PATH (no server is bundled for this platform and the setting is empty)"
        : `the bundled server \`${bin.command}\``;
  log(`cannot run ${bin.command}: ${why}`);
  const choice = await vscode.window.showErrorMessage(
    `apimlint: cannot start the language server: ${where}: ${why}. Set \`${SETTING}\` to the apimlint binary.`,
    "Open Settings",
  );
  if (choice === "Open Settings") {
    // the setting is machine-overridable: in a remote window (code-server, SSH,
    // WSL, containers) only the Remote tab of the Settings UI shows it
    const command = vscode.env.remoteName ? "workbench.action.openRemoteSettings" : "workbench.action.openSettings";
    await vscode.commands.executeCommand(command, { query: SETTING });
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const bin = binary(context);
  let version: string;
  try {
    version = await probe(bin.command);
  } catch (why) {
    // not awaited: the message stays until dismissed, the queue moves on
    void complain(bin, String(why));
    return;
  }
  log(`starting ${bin.command} lsp (${version}, ${bin.source})`);
  const serverOptions: ServerOptions = {
    // no `transport`: stdio is the default, and TransportKind.stdio would add `--stdio`
    run: { command: bin.command, args: ["lsp"] },
    debug: { command: bin.command, args: ["lsp"] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: FILES.map((pattern) => ({ scheme: "file", pattern })),
    synchronize: {
      // a node file created, changed or deleted on disk re-analyses its deployment
      fileEvents: FILES.map((g) => vscode.workspace.createFileSystemWatcher(g)),
    },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: () => false,
  };
  // `apimlint.trace.server` is read by the client itself (id "apimlint")
  const next = new LanguageClient("apimlint", "apimlint", serverOptions, clientOptions);
  try {
    await next.start();
    client = next;
  } catch (e) {
    await next.dispose().catch(() => undefined);
    void complain(bin, `${e}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    log("stopping the server");
    await running.dispose().catch((e) => log(`stop: ${e}`));
  }
}

async function hasDeployment(): Promise<boolean> {
  if (vscode.workspace.textDocuments.some(isOurs)) {
    return true;
  }
  if (!vscode.workspace.workspaceFolders?.length) {
    return false;
  }
  const found = await vscode.workspace.findFiles("**/{deployment,apimlint}.toml", "**/node_modules/**", 1);
  if (found.length > 0) {
    return true;
  }
  for (const glob of HOME_FILES) {
    if ((await vscode.workspace.findFiles(glob, "**/node_modules/**", 1)).length > 0) {
      return true;
    }
  }
  // a folder of Kubernetes manifests or Compose files only
  const yaml = await vscode.workspace.findFiles("**/*.{yaml,yml}", "**/node_modules/**", MANIFESTS_SCANNED);
  for (const uri of yaml) {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (Buffer.from(bytes).includes(NODE_FILE)) {
        return true;
      }
    } catch {
      // unreadable: not ours
    }
  }
  return false;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("apimlint");
  context.subscriptions.push(output);
  let wanted = false;
  const ensure = () => {
    if (!wanted) {
      wanted = true;
      void enqueue(() => start(context));
    }
  };
  context.subscriptions.push(
    // the one configuration listener: a new path (re)starts the server, no reload
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTING) && wanted) {
        void enqueue(async () => {
          await stop();
          await start(context);
        });
      }
    }),
    // activated by a plain-text, TOML, YAML, XML or properties file that is not ours: start on the first that is
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (isOurs(doc)) {
        ensure();
      }
    }),
    vscode.commands.registerCommand("apimlint.restart", () => {
      wanted = true;
      return enqueue(async () => {
        await stop();
        await start(context);
      });
    }),
  );
  if (await hasDeployment()) {
    ensure();
  }
}

export function deactivate(): Promise<void> {
  return enqueue(stop);
}
