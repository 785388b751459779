//! The generator: an N-region Pattern-1 deployment of 10 nodes per region,
//! derived from the clean sample `fixtures/deployments/pattern-1` (so it stays
//! clean, every rule quiet, as long as the sample does).
//!
//! Each region is a copy of the sample's `region-1` with its names renumbered
//! (`region-1` → `region-N`, `*.r1.example.com` → `*.rN.example.com`, node IPs
//! `10.<hi>.<lo>.<host>`), plus gateways cloned from the last gateway until the
//! region has 10 nodes. `apimlint.toml` repeats the sample's `region-1` lines
//! for every region and drops its other regions' lines.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Nodes per generated region.
pub(crate) const NODES_PER_REGION: usize = 10;

/// The sample the generator copies.
pub(crate) fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deployments/pattern-1")
}

struct Template {
    /// Node name (`cp-1`) and its file text.
    nodes: Vec<(String, String)>,
    project: String,
}

fn load_template(sample: &Path) -> Result<Template, String> {
    let region = sample.join("region-1");
    let mut names: Vec<String> = std::fs::read_dir(&region)
        .map_err(|e| format!("{}: {e}", region.display()))?
        .flatten()
        .filter(|e| e.path().join("repository/conf/deployment.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut nodes = Vec::new();
    for n in names {
        let p = region.join(&n).join("repository/conf/deployment.toml");
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        nodes.push((n, text));
    }
    if nodes.is_empty() {
        return Err(format!("no nodes under {}", region.display()));
    }
    let project = std::fs::read_to_string(sample.join("apimlint.toml")).unwrap_or_default();
    Ok(Template { nodes, project })
}

/// Renumber one file of region 1 for region `r`, giving it host number `host`.
fn renumber(text: &str, r: usize, host: Option<u8>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let l = line
            .replace("region-1", &format!("region-{r}"))
            .replace(".r1.", &format!(".r{r}."));
        let trimmed = l.trim_start();
        if let Some(rest) = trimmed.strip_prefix("node_ip = \"") {
            let old_host = rest
                .split('"')
                .next()
                .and_then(|ip| ip.rsplit('.').next())
                .and_then(|h| h.parse::<u8>().ok())
                .unwrap_or(1);
            let h = host.unwrap_or(old_host);
            let _ = writeln!(out, "node_ip = \"10.{}.{}.{h}\"", r >> 8, r & 255);
        } else {
            out.push_str(&l);
        }
    }
    out
}

/// Lines of the project file for `regions` regions.
fn project_file(template: &str, regions: usize) -> String {
    let mut out = String::new();
    for line in template.split_inclusive('\n') {
        let mentions =
            |n: usize| line.contains(&format!("region-{n}")) || line.contains(&format!(".r{n}."));
        let other = (2..=9).any(mentions);
        if mentions(1) && !line.trim_start().starts_with('#') {
            for r in 1..=regions {
                out.push_str(&renumber(line, r, None));
            }
        } else if !other {
            out.push_str(line);
        }
    }
    out
}

/// Write a deployment of `regions` × 10 nodes into `dir` (replaced if present).
/// Returns the number of nodes and bytes written.
pub(crate) fn generate(dir: &Path, regions: usize) -> Result<(usize, u64), String> {
    let t = load_template(&sample_dir())?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let gateways: Vec<&(String, String)> = t
        .nodes
        .iter()
        .filter(|(n, _)| n.starts_with("gw-"))
        .collect();
    let mut region_nodes: Vec<(String, String, Option<u8>)> = t
        .nodes
        .iter()
        .map(|(n, text)| (n.clone(), text.clone(), None))
        .collect();
    if let Some((last, text)) = gateways.last() {
        let mut k = gateways.len();
        while region_nodes.len() < NODES_PER_REGION {
            k += 1;
            let name = format!("gw-{k}");
            let text = text.replace(last.as_str(), &name);
            region_nodes.push((name, text, u8::try_from(20 + k).ok()));
        }
    }
    let (mut nodes, mut bytes) = (0usize, 0u64);
    for r in 1..=regions {
        for (name, text, host) in &region_nodes {
            let d = dir.join(format!("region-{r}/{name}/repository/conf"));
            std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
            let body = renumber(text, r, *host);
            bytes += body.len() as u64;
            nodes += 1;
            std::fs::write(d.join("deployment.toml"), body)
                .map_err(|e| format!("{}: {e}", d.display()))?;
        }
    }
    std::fs::write(dir.join("apimlint.toml"), project_file(&t.project, regions))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok((nodes, bytes))
}

/// The same deployment as Kubernetes manifests: for each region of the
/// plain tree at `plain`, a stream `region-N.yaml` in `dir` holding, per node,
/// ten documents — its ConfigMap (the node's text, a literal block), the
/// Deployment mounting it, a Service selecting it, and seven objects that
/// hold no node (ServiceAccount, PodDisruptionBudget,
/// HorizontalPodAutoscaler, NetworkPolicy, a Secret, a log4j2 ConfigMap, an
/// Ingress). Node ids and regions are those of the plain tree (the workload
/// is named after the node's directory), and `apimlint.toml` is the same.
/// Returns the number of documents.
pub(crate) fn manifests(plain: &Path, dir: &Path) -> Result<usize, String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut docs = 0;
    let mut regions: Vec<PathBuf> = std::fs::read_dir(plain)
        .map_err(|e| format!("{}: {e}", plain.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    regions.sort();
    for region in regions {
        let rname = region
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let mut nodes: Vec<PathBuf> = std::fs::read_dir(&region)
            .map_err(|e| format!("{}: {e}", region.display()))?
            .flatten()
            .map(|e| e.path())
            .collect();
        nodes.sort();
        let mut s = String::new();
        for node in nodes {
            let name = node
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let f = node.join("repository/conf/deployment.toml");
            let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            let mut block = String::new();
            for l in text.lines() {
                if l.is_empty() {
                    block.push('\n');
                } else {
                    let _ = writeln!(block, "    {l}");
                }
            }
            let _ = write!(
                s,
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-conf\n  namespace: {rname}\ndata:\n  deployment.toml: |\n{block}\
---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {rname}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: apim\n          image: wso2/wso2am:4.5.0\n          ports: [{{containerPort: 9443}}, {{containerPort: 8243}}]\n          volumeMounts:\n            - name: conf\n              mountPath: /home/wso2carbon/wso2am/repository/conf/deployment.toml\n              subPath: deployment.toml\n      volumes:\n        - name: conf\n          configMap: {{name: {name}-conf}}\n\
---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}-svc\n  namespace: {rname}\nspec:\n  selector: {{app: {name}}}\n  ports:\n    - {{name: https, port: 9443}}\n    - {{name: gw-https, port: 8243}}\n\
---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {rname}\n\
---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n  namespace: {rname}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {{app: {name}}}\n\
---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n  namespace: {rname}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n  minReplicas: 1\n  maxReplicas: 3\n\
---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {rname}\nspec:\n  podSelector:\n    matchLabels: {{app: {name}}}\n  policyTypes: [Ingress]\n\
---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-keystore\n  namespace: {rname}\ntype: Opaque\ndata:\n  password: c2VjcmV0\n\
---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-log4j2\n  namespace: {rname}\ndata:\n  log4j2.properties: |\n    rootLogger.level = INFO\n\
---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: {rname}\nspec:\n  rules:\n    - host: {name}.{rname}.ingress.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service: {{name: {name}-svc, port: {{number: 9443}}}}\n"
            );
            docs += 10;
        }
        std::fs::write(dir.join(format!("{rname}.yaml")), s)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::copy(plain.join("apimlint.toml"), dir.join("apimlint.toml"))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(docs)
}
