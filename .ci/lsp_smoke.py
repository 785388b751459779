"""`apimlint lsp` over stdio with a minimal client (standard library only):
initialize, open one node of a broken deployment, wait for its diagnostics,
shutdown, exit. Used on installed copies of apimlint (the wheel), where the
full pytest-lsp suite (tests/lsp-e2e) is not worth a second run.

    python .ci/lsp_smoke.py APIMLINT_COMMAND DEPLOYMENT_FILE EXPECTED_CODE
"""

import json
import pathlib
import subprocess
import sys
import threading


def main() -> int:
    command, file, code = sys.argv[1], pathlib.Path(sys.argv[2]).resolve(), sys.argv[3]
    proc = subprocess.Popen([command, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    timer = threading.Timer(60, proc.kill)  # never hang CI
    timer.daemon = True
    timer.start()

    def send(msg: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    def receive() -> dict:
        length = None
        while True:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("lsp: the server closed stdout")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(proc.stdout.read(length))

    def until(pred) -> dict:
        while True:
            msg = receive()
            if "id" in msg and "method" in msg:  # a request from the server: answer it
                send({"id": msg["id"], "result": None})
            if pred(msg):
                return msg

    root = file.parent
    send({"id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": root.as_uri(), "capabilities": {},
        "workspaceFolders": [{"uri": root.as_uri(), "name": "w"}]}})
    init = until(lambda m: m.get("id") == 1)
    name = init["result"].get("serverInfo", {}).get("name")
    print(f"lsp: initialize -> {name} {init['result'].get('serverInfo', {}).get('version')}")
    send({"method": "initialized", "params": {}})
    send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": file.as_uri(), "languageId": "toml", "version": 1, "text": file.read_text()}}})
    diag = until(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                 and m["params"]["uri"] == file.as_uri() and m["params"]["diagnostics"])
    codes = sorted({d.get("code") for d in diag["params"]["diagnostics"]})
    print(f"lsp: diagnostics for {file.name}: {codes}")
    send({"id": 2, "method": "shutdown", "params": None})
    until(lambda m: m.get("id") == 2)
    send({"method": "exit", "params": None})
    status = proc.wait(timeout=30)
    print(f"lsp: shutdown, exit -> {status}")
    return 0 if code in codes and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
