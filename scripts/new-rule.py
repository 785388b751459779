#!/usr/bin/env python3
"""Scaffold a rule: its file and its page (CONTRIBUTING.md, "Adding a rule").

    scripts/new-rule.py gateway-id-duplicate --group shared --scope deployment \
        --severity error [--roles gateway-worker,all-in-one]

Writes crates/core/src/rules/<group>/<id_with_underscores>.rs and
rules/<id>.md, and prints the registry line to add to the group's mod.rs.
Refuses to overwrite anything.
"""

import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
GROUPS = ["syntax", "node", "wiring", "shared", "security", "meta"]
ROLES = {
    "gateway-worker": "GatewayWorker",
    "control-plane": "ControlPlane",
    "traffic-manager": "TrafficManager",
    "key-manager": "KeyManager",
    "is-key-manager": "IsKeyManager",
    "all-in-one": "AllInOne",
    "unknown": "Unknown",
}

NODE_RULE = '''//! `{id}`: TODO one line on what it checks.

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;

declare_rule! {{
    id: "{id}",
    severity: {severity},
    roles: [{roles}],
    fix: Never,
    since: "{since}",
    check: Node(check),
}}

fn check(_config: &Config, file: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {{
    let _ = (file, node, acc);
}}
'''

DEPLOYMENT_RULE = '''//! `{id}`: TODO one line on what it checks.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;

declare_rule! {{
    id: "{id}",
    severity: {severity},
    roles: [{roles}],
    fix: Never,
    since: "{since}",
    check: Deployment(check),
}}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {{
    for (i, node) in RULE.subjects(dep) {{
        let _ = (i, node, &acc);
    }}
}}
'''

PAGE = '''# {id}

## What it checks

TODO: one sentence (the summary `apimlint rules` and the editor's hover show).

TODO: what exactly is compared, what is skipped (placeholders, roles), where the finding lands.

## Why it matters

TODO: what goes wrong in a running API-M deployment.

## Example

TODO: what the example changes in the sample deployment.

```toml
# region-1/gw-1
[server]
hostname = "gw-1.r1.example.com"  # {severity_lc}: [{id}]
```

## Fix

```toml
# region-1/gw-1
[server]
hostname = "gw-1.r1.example.com"
```
'''


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("id")
    ap.add_argument("--group", choices=GROUPS, required=True)
    ap.add_argument("--scope", choices=["node", "deployment"], required=True)
    ap.add_argument("--severity", choices=["error", "warning", "info"], default="error")
    ap.add_argument("--roles", default="", help="comma-separated: " + ", ".join(ROLES))
    a = ap.parse_args()
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", a.id):
        print(f"new-rule: `{a.id}` is not a kebab-case id", file=sys.stderr)
        return 2
    roles = [r for r in a.roles.split(",") if r]
    bad = [r for r in roles if r not in ROLES]
    if bad:
        print(f"new-rule: unknown roles {bad}", file=sys.stderr)
        return 2
    cargo = (ROOT / "Cargo.toml").read_text()
    since = re.search(r'^version = "([^"]+)"', cargo, re.M).group(1)
    module = a.id.replace("-", "_")
    src = ROOT / "crates/core/src/rules" / a.group / f"{module}.rs"
    page = ROOT / "rules" / f"{a.id}.md"
    for p in (src, page):
        if p.exists():
            print(f"new-rule: {p.relative_to(ROOT)} exists", file=sys.stderr)
            return 2
    fill = dict(
        id=a.id,
        severity=a.severity.capitalize(),
        severity_lc=a.severity,
        roles=", ".join(ROLES[r] for r in roles),
        since=since,
    )
    src.write_text((NODE_RULE if a.scope == "node" else DEPLOYMENT_RULE).format(**fill))
    page.write_text(PAGE.format(**fill))
    print(f"wrote {src.relative_to(ROOT)}")
    print(f"wrote {page.relative_to(ROOT)}")
    print(f"now add to crates/core/src/rules/{a.group}/mod.rs:")
    print(f"    pub(crate) mod {module};   and   &{module}::RULE,   in RULES")
    return 0


if __name__ == "__main__":
    sys.exit(main())
