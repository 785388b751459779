"""Run this repository's GitHub Action (action.yml) the way a runner would, on
a deployment outside the repository: each `run:` step in bash with its `env:`,
`${{ inputs.* }}` and `${{ github.* }}` substituted and simple `if:`
conditions evaluated; after a step fails, only steps whose `if:` holds
`!cancelled()` or `always()` run; `uses:` steps are listed, not run (no network).

    python .ci/action.py WORKSPACE PATHS [--sarif FILE] [--expect-exit N] [--input NAME=VALUE]...

RUNNER_OS and RUNNER_ARCH are this machine's, as GitHub names them.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("workspace")
    ap.add_argument("paths")
    ap.add_argument("--sarif", default="")
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--input", action="append", default=[], metavar="NAME=VALUE")
    a = ap.parse_args()

    action = yaml.safe_load(open(os.path.join(ROOT, "action.yml")))
    declared = action["inputs"]
    inputs = {k: str(v.get("default", "")) for k, v in declared.items()}
    inputs["paths"] = a.paths
    inputs["sarif"] = a.sarif
    inputs["upload-sarif"] = "true" if a.sarif else "false"
    for item in a.input:
        name, _, v = item.partition("=")
        if name not in declared:
            raise SystemExit(f"action.yml declares no input {name}")
        inputs[name] = v

    def value(expr: str) -> str:
        expr = expr.strip()
        m = re.fullmatch(r"inputs\.([\w-]+)", expr)
        if m:
            if m.group(1) not in declared:
                raise SystemExit(f"action.yml uses undeclared input {m.group(1)}")
            return inputs[m.group(1)]
        if expr == "github.action_path":
            return ROOT
        raise SystemExit(f"action.py cannot evaluate `{expr}`")

    def condition(expr: str) -> bool:
        expr = EXPR.sub(lambda m: m.group(1), expr)
        for part in expr.split("&&"):
            if part.strip() in ("!cancelled()", "always()"):
                continue
            m = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
            if not m:
                raise SystemExit(f"action.py cannot evaluate `if: {expr}`")
            equal = value(m.group(1)) == m.group(3)
            if equal != (m.group(2) == "=="):
                return False
        return True

    runner_temp = tempfile.mkdtemp(prefix="runner-temp-")
    github_path = os.path.join(runner_temp, "github_path")
    open(github_path, "w").close()
    env = dict(os.environ, RUNNER_TEMP=runner_temp, GITHUB_PATH=github_path,
               GITHUB_WORKSPACE=a.workspace, GITHUB_ACTIONS="true",
               RUNNER_OS={"Linux": "Linux", "Darwin": "macOS", "Windows": "Windows"}[platform.system()],
               RUNNER_ARCH={"x86_64": "X64", "AMD64": "X64", "aarch64": "ARM64", "arm64": "ARM64"}[platform.machine()])
    last = 0
    for step in action["runs"]["steps"]:
        name = step.get("name", "?")
        after_failure = re.search(r"!cancelled\(\)|always\(\)", str(step.get("if", "")))
        if last != 0 and not after_failure:
            print(f"action: skip   {name} (a step failed)")
            continue
        if "if" in step and not condition(str(step["if"])):
            print(f"action: skip   {name}")
            continue
        if "uses" in step:
            print(f"action: (not run here) {name}: uses {step['uses']}")
            continue
        extra = {k: EXPR.sub(lambda m: value(m.group(1)), str(v)) for k, v in step.get("env", {}).items()}
        path = os.pathsep.join([l.strip() for l in open(github_path) if l.strip()] + [env["PATH"]])
        print(f"action: run    {name}", flush=True)
        script = EXPR.sub(lambda m: value(m.group(1)), step["run"])
        code = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=a.workspace,
                              env=dict(env, PATH=path, **extra)).returncode
        # the first failure is the action's
        last = last or code
    if last != a.expect_exit:
        print(f"action: the action ended with {last}, expected {a.expect_exit}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
