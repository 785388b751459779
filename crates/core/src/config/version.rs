//! Which API-M version a deployment runs (issue #30): `--apim-version`, else
//! `[deployment] version`, else the WSO2 image tags of the manifests'
//! containers, else none (every version's keys are accepted).

use crate::catalog::versions::{ApimVersion, Distribution};
use crate::manifest::Origin;

/// Where the deployment's version was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `--apim-version`.
    Flag,
    /// `[deployment] version` of `apimlint.toml`.
    ProjectFile,
    /// A container image of a manifest (the image, as written).
    Image(String),
}

impl VersionSource {
    /// How the summary says it.
    pub fn describe(&self) -> String {
        match self {
            VersionSource::Flag => "from --apim-version".to_owned(),
            VersionSource::ProjectFile => "from apimlint.toml [deployment] version".to_owned(),
            VersionSource::Image(i) => format!("from the image {i}"),
        }
    }
}

/// The WSO2 API-M images a YAML text names (`image: wso2/wso2am-acp:4.5.0`),
/// with their byte offsets: (offset, image).
pub(crate) fn images(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start().trim_start_matches("- ").trim_start();
        if let Some(rest) = t.strip_prefix("image:") {
            let v = rest
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(|c| c == '"' || c == '\'');
            if Distribution::of_image(v).is_some() {
                out.push((at, v));
            }
        }
        at += line.len();
    }
    out
}

/// The version the images of these manifest texts agree on (the newest,
/// when they disagree: a rolling upgrade is checked against its target),
/// and the image it came from.
pub(crate) fn from_images<'a>(
    texts: impl Iterator<Item = &'a str>,
) -> Option<(ApimVersion, String)> {
    let mut best: Option<(ApimVersion, String)> = None;
    for text in texts {
        for (_, image) in images(text) {
            let Some((_, tag)) = Distribution::of_image(image) else {
                continue;
            };
            if let Some(v) = ApimVersion::parse(tag)
                && best.as_ref().is_none_or(|(b, _)| v > *b)
            {
                best = Some((v, image.to_owned()));
            }
        }
    }
    best
}

impl super::Config {
    /// Settle the version the rules read: the one already set
    /// (`--apim-version`, `[deployment] version`), else the newest WSO2
    /// image tag of these manifests.
    pub(crate) fn settle_version<'a>(&mut self, manifests: impl Iterator<Item = &'a Origin>) {
        if self.apim.is_some() {
            return;
        }
        let mut seen: Vec<*const crate::manifest::Manifest> = Vec::new();
        let texts = manifests.filter_map(|o| {
            let p = std::sync::Arc::as_ptr(&o.manifest);
            (!seen.contains(&p)).then(|| {
                seen.push(p);
                &*o.manifest.text
            })
        });
        if let Some((v, image)) = from_images(texts) {
            self.apim = Some((v, VersionSource::Image(image)));
        }
    }

    /// `--apim-version`: the version the rules read, whatever the project
    /// file and the images say.
    ///
    /// # Errors
    /// A version apimlint has no catalog of.
    pub fn set_apim_version(&mut self, text: &str) -> Result<(), String> {
        let v = ApimVersion::parse(text).ok_or_else(|| {
            format!(
                "`--apim-version {text}`: apimlint knows API-M {}",
                ApimVersion::names().join(", ")
            )
        })?;
        self.apim = Some((v, VersionSource::Flag));
        self.version = Some(v.name().to_owned());
        Ok(())
    }

    /// The version the rules read, and where it was read.
    pub fn apim(&self) -> Option<(&'static str, &VersionSource)> {
        self.apim.as_ref().map(|(v, s)| (v.name(), s))
    }

    /// The version the rules read, if any.
    pub(crate) fn apim_version(&self) -> Option<ApimVersion> {
        self.apim.as_ref().map(|(v, _)| *v)
    }
}

/// The distribution a node read out of a manifest runs: the WSO2 image of
/// the document that defines its workload.
pub(crate) fn distribution(origin: &Origin) -> Option<Distribution> {
    let w = origin.workload.as_ref()?;
    let text: &str = &origin.manifest.text;
    let needle = format!("name: {}", w.name);
    let mut found = None;
    for doc in text.split("\n---") {
        let names_it = doc.lines().any(|l| {
            let l = l.trim().trim_matches(|c| c == '"' || c == '\'');
            l == needle || l == format!("name: \"{}\"", w.name) || l == format!("{}:", w.name)
        });
        if !names_it {
            continue;
        }
        let mut ds = images(doc)
            .into_iter()
            .filter_map(|(_, i)| Distribution::of_image(i).map(|d| d.0));
        if let Some(d) = ds.next() {
            if found.is_some_and(|f| f != d) {
                return None;
            }
            found = Some(d);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_versions() {
        let y = "spec:\n  containers:\n    - name: gw\n      image: \"docker.io/wso2/wso2am-universal-gw:4.7.0-alpine\" # pinned\n    - image: nginx:1.25\n";
        assert_eq!(
            images(y).into_iter().map(|(_, i)| i).collect::<Vec<_>>(),
            vec!["docker.io/wso2/wso2am-universal-gw:4.7.0-alpine"]
        );
        let (v, i) = from_images(
            [
                y,
                "image: wso2/wso2am-tm:4.5.0\n",
                "image: wso2/wso2am:latest\n",
            ]
            .into_iter(),
        )
        .unwrap();
        assert_eq!(v.name(), "4.7.0");
        assert!(i.contains("universal-gw"));
        assert!(from_images(["image: nginx:4.5.0\n"].into_iter()).is_none());
    }
}
