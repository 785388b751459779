#!/usr/bin/env python3
"""Render a Helm chart with the real Helm engine (helm-python-sdk, Helm v4 as
a library) and print the manifest stream `helm template` would print.

    helm-render.py CHART RELEASE NAMESPACE [VALUES.yaml ...] > stream.yaml

Values files are merged left to right (maps deeply, lists replaced), as
`helm template -f a.yaml -f b.yaml` does. Needs `pip install
helm-python-sdk==0.2.2` (`.ci/run` installs it into a venv)."""

import sys

from helm_python.chart import Chart, values_from_yaml


def merge(into, new):
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            merge(into[k], v)
        else:
            into[k] = v


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    chart, release, namespace = argv[1:4]
    values = {}
    for f in argv[4:]:
        with open(f, encoding="utf-8") as fh:
            merge(values, values_from_yaml(fh.read()) or {})
    out = Chart.load(chart).render(values, name=release, namespace=namespace, is_install=True)
    for path in sorted(out):
        body = out[path].strip("\n")
        if not body.strip() or path.endswith("NOTES.txt"):
            continue
        print("---\n# Source: " + path)
        print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
