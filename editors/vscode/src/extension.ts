// The VS Code client of apimlint: it starts `apimlint lsp` for the
// deployment.toml and apimlint.toml files of the workspace. All analysis is
// in the server; this file only spawns it and forwards file events.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace
    .getConfiguration("apimlint")
    .get<string>("server.path", "apimlint");
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", pattern: "**/deployment.toml" },
      { scheme: "file", pattern: "**/apimlint.toml" },
    ],
    synchronize: {
      // a node file created, changed or deleted on disk re-analyses its deployment
      fileEvents: [
        vscode.workspace.createFileSystemWatcher("**/deployment.toml"),
        vscode.workspace.createFileSystemWatcher("**/apimlint.toml"),
      ],
    },
  };
  // `apimlint.trace.server` is read by the client itself (id "apimlint")
  client = new LanguageClient("apimlint", "apimlint", serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("apimlint.server.path") && client) {
        await client.stop();
        await activate(context);
      }
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
