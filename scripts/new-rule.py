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
use crate::rules::{{NodeCx, NodeRule}};

declare_rule! {{
    id: "{id}",
    severity: {severity},
    roles: [{roles}],
    fix: Never,
    since: "{since}",
    check: Node({ty}),
}}

pub(crate) struct {ty};

/// TODO: what `run` found wrong: all that `diagnostic` (and `action`) need.
pub(crate) struct State {{
    span: std::ops::Range<usize>,
}}

impl NodeRule for {ty} {{
    type State<'a> = State;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State> {{
        let _ = &cx.node.facts;
        Vec::new()
    }}

    fn diagnostic(cx: &NodeCx<'_>, s: &State) -> Diagnostic {{
        Diagnostic::new(&RULE, cx.file, s.span.clone(), "TODO: the message")
    }}
}}
'''

DEPLOYMENT_RULE = '''//! `{id}`: TODO one line on what it checks.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{{Deployment, NodeIdx}};
use crate::rules::DeploymentRule;

declare_rule! {{
    id: "{id}",
    severity: {severity},
    roles: [{roles}],
    fix: Never,
    since: "{since}",
    check: Deployment({ty}),
}}

pub(crate) struct {ty};

/// TODO: what `run` found wrong: all that `diagnostic` (and `action`) need.
pub(crate) struct State {{
    node: NodeIdx,
}}

impl DeploymentRule for {ty} {{
    type State<'d> = State;

    fn run(dep: &Deployment) -> Vec<State> {{
        RULE.subjects(dep)
            .filter(|(_, _node)| false)
            .map(|(node, _)| State {{ node }})
            .collect()
    }}

    fn diagnostic(dep: &Deployment, s: &State) -> Diagnostic {{
        let anchor = dep.node(s.node).map(|n| n.anchor()).unwrap_or(0..0);
        Diagnostic::new(&RULE, dep.file(s.node), anchor, "TODO: the message")
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
        ty="".join(w.capitalize() for w in a.id.split("-")),
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
