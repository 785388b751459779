#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;

use crate::base::diagnostic::Severity;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::bridge::{NodeFiles, analyse};
use crate::graph::{Deployment, SourceFile};
use crate::model::bridge::{JndiFile, PublisherFile};
use crate::properties::{self, Properties};
use crate::rules::bridge::{
    Found, event_publisher_name_duplicate, region_bridge_loop, region_bridge_missing,
    region_bridge_unresolved, userstore_drift,
};
use crate::xml::wso2::{EventPublisher, UserStore, read_event_publisher, read_user_store};

const STREAMS: [(&str, &str, &str); 3] = [
    (
        "notification",
        "org.wso2.apimgt.notification.stream",
        "notification",
    ),
    (
        "tokenRevocation",
        "org.wso2.apimgt.token.revocation.stream",
        "tokenRevocation",
    ),
    ("keyManager", "org.wso2.apimgt.keymgt.stream", "keyManager"),
];

fn xml(name: &str, stream: &str, jndi: &str, dest: &str) -> String {
    crate::model::bridge::tests::publisher(name, stream, jndi, dest)
}

/// One node's extra files, as text.
#[derive(Default, Clone)]
struct Home {
    publishers: Vec<(String, String)>,
    jndi: Vec<(String, String)>,
    userstores: Vec<String>,
}

/// A deployment of `n` regions, two control planes and a gateway each,
/// every control plane bridging every stream to every other region.
struct Tree {
    dep: Deployment,
    homes: Vec<Home>,
}

fn tree(n: usize) -> Tree {
    let root = Path::new("/d");
    let mut files = Vec::new();
    for r in 1..=n {
        for (node, role) in [
            ("cp-1", "control-plane"),
            ("cp-2", "control-plane"),
            ("gw-1", "gateway-worker"),
        ] {
            files.push(SourceFile::plain(
                root.join(format!("region-{r}/{node}/repository/conf/deployment.toml")),
                Ok(format!(
                    "[server]\nhostname = \"{node}.r{r}.example.com\"\nserver_role = \"{role}\"\n"
                )),
            ));
        }
    }
    let dep = Deployment::build(root, Config::default(), files);
    let homes = dep
        .nodes()
        .iter()
        .map(|node| {
            let mut h = Home::default();
            if node.role != crate::model::Role::ControlPlane {
                return h;
            }
            let me: usize = node.region.trim_start_matches("region-").parse().unwrap();
            for t in (1..=n).filter(|t| *t != me) {
                let path = format!("repository/conf/jndi-region{t}.properties");
                h.jndi.push((
                    path.clone(),
                    crate::model::bridge::tests::jndi(&format!(
                        "tcp://cp-1.r{t}.example.com:5672;tcp://cp-2.r{t}.example.com:5672"
                    )),
                ));
                for (short, stream, topic) in STREAMS {
                    h.publishers.push((
                        format!("{short}JMSPublisherRegion{t}"),
                        xml(
                            &format!("{short}JMSPublisherRegion{t}"),
                            stream,
                            &path,
                            topic,
                        ),
                    ));
                }
            }
            h
        })
        .collect();
    Tree { dep, homes }
}

struct Parsed {
    publishers: Vec<Vec<EventPublisher>>,
    jndi: Vec<Vec<(String, String, Properties)>>,
    userstores: Vec<Vec<UserStore>>,
}

fn parse(t: &Tree) -> Parsed {
    Parsed {
        publishers: t
            .homes
            .iter()
            .map(|h| {
                h.publishers
                    .iter()
                    .map(|(_, x)| read_event_publisher(x).unwrap())
                    .collect()
            })
            .collect(),
        jndi: t
            .homes
            .iter()
            .map(|h| {
                h.jndi
                    .iter()
                    .map(|(p, x)| (p.clone(), x.clone(), properties::read(x).unwrap()))
                    .collect()
            })
            .collect(),
        userstores: t
            .homes
            .iter()
            .map(|h| {
                h.userstores
                    .iter()
                    .map(|x| read_user_store(x).unwrap())
                    .collect()
            })
            .collect(),
    }
}

/// File ids: node `i`'s publisher `k` is 1000·(i+1) + k, its JNDI file
/// 1000·(i+1) + 100 + k, its user store 1000·(i+1) + 200 + k.
fn files<'a>(p: &'a Parsed) -> Vec<NodeFiles<'a>> {
    (0..p.publishers.len())
        .map(|i| {
            let base = 1000 * (i as u32 + 1);
            NodeFiles {
                node: i,
                publishers: p.publishers[i]
                    .iter()
                    .enumerate()
                    .map(|(k, x)| PublisherFile {
                        file: FileId(base + k as u32),
                        publisher: x,
                    })
                    .collect(),
                jndi: p.jndi[i]
                    .iter()
                    .enumerate()
                    .map(|(k, (path, text, props))| JndiFile {
                        file: FileId(base + 100 + k as u32),
                        path,
                        text,
                        props,
                    })
                    .collect(),
                userstores: p.userstores[i]
                    .iter()
                    .enumerate()
                    .map(|(k, u)| (FileId(base + 200 + k as u32), u))
                    .collect(),
            }
        })
        .collect()
}

type Finder = fn(&Deployment, &crate::graph::bridge::Bridge<'_>) -> Vec<Found>;

const ALL: [(&str, Finder); 5] = [
    ("region-bridge-missing", region_bridge_missing::find),
    ("region-bridge-unresolved", region_bridge_unresolved::find),
    ("region-bridge-loop", region_bridge_loop::find),
    (
        "event-publisher-name-duplicate",
        event_publisher_name_duplicate::find,
    ),
    ("userstore-drift", userstore_drift::find),
];

fn check(t: &Tree) -> Vec<Found> {
    let p = parse(t);
    let b = analyse(&t.dep, files(&p), false);
    ALL.iter()
        .flat_map(|(_, f)| super::merged(f(&t.dep, &b)))
        .collect()
}

fn idx(t: &Tree, id: &str) -> usize {
    t.dep.nodes().iter().position(|n| n.id == id).unwrap()
}

fn home<'a>(t: &'a mut Tree, id: &str) -> &'a mut Home {
    let i = idx(t, id);
    &mut t.homes[i]
}

fn only(found: &[Found], rule: &str) -> Vec<String> {
    found
        .iter()
        .filter(|f| f.diagnostic.rule == rule)
        .map(|f| f.diagnostic.message.clone())
        .collect()
}

#[test]
fn a_complete_bridge_in_two_and_three_regions_is_clean() {
    for n in [2, 3] {
        let t = tree(n);
        let found = check(&t);
        assert!(
            found.is_empty(),
            "{n} regions: {:?}",
            found
                .iter()
                .map(|f| &f.diagnostic.message)
                .collect::<Vec<_>>()
        );
        let p = parse(&t);
        let b = analyse(&t.dep, files(&p), false);
        let links: Vec<_> = b.links().collect();
        // one link per stream and ordered region pair, none broken
        assert_eq!(links.len(), 3 * n * (n - 1));
        assert!(
            links
                .iter()
                .all(|l| l.problems.is_empty() && l.delivering.len() == 2)
        );
    }
}

#[test]
fn no_publisher_anywhere_is_one_warning_for_the_deployment() {
    let mut t = tree(2);
    t.homes.iter_mut().for_each(|h| *h = Home::default());
    let found = check(&t);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].diagnostic.severity, Severity::Warning);
    assert!(
        found[0]
            .diagnostic
            .message
            .contains("region-1 and region-2 never hear")
    );
}

#[test]
fn a_missing_stream_is_reported_on_the_control_plane_that_lacks_it() {
    let mut t = tree(2);
    home(&mut t, "region-2/cp-2")
        .publishers
        .retain(|(n, _)| !n.starts_with("keyManager"));
    let found = check(&t);
    assert_eq!(
        found.len(),
        1,
        "{:?}",
        only(&found, "region-bridge-missing")
    );
    let d = &found[0].diagnostic;
    assert_eq!(d.rule, "region-bridge-missing");
    assert_eq!(t.dep.id_of(d.file), "region-2/cp-2");
    assert!(
        d.message.contains("`key manager` stream to region-1"),
        "{}",
        d.message
    );
    // a peer that does it is the related location
    assert_eq!(d.related.len(), 1);
}

#[test]
fn a_region_that_publishes_nothing_back_is_reported_on_each_of_its_control_planes() {
    let mut t = tree(2);
    for id in ["region-2/cp-1", "region-2/cp-2"] {
        *home(&mut t, id) = Home::default();
    }
    let found = check(&t);
    let ids: Vec<&str> = found
        .iter()
        .map(|f| t.dep.id_of(f.diagnostic.file))
        .collect();
    assert_eq!(ids, ["region-2/cp-1", "region-2/cp-2"]);
}

fn edit_jndi(t: &mut Tree, id: &str, from: &str, to: &str) {
    let h = home(t, id);
    h.jndi[0].1 = h.jndi[0].1.replace(from, to);
}

fn applied(t: &Tree, f: &Found) -> String {
    let fix = f.fix.as_ref().expect("a fix");
    let i = idx(t, "region-1/cp-1");
    let text = t.homes[i].jndi[0].1.clone();
    let mut out = text.clone();
    for e in fix.edits.iter().rev() {
        out.replace_range(e.range.clone(), &e.new_text);
    }
    out
}

#[test]
fn a_near_miss_host_gets_a_did_you_mean_and_a_fix() {
    let mut t = tree(2);
    edit_jndi(
        &mut t,
        "region-1/cp-1",
        "cp-2.r2.example.com",
        "cp-2.r2.exmple.com",
    );
    let found = check(&t);
    let un: Vec<&Found> = found
        .iter()
        .filter(|f| f.diagnostic.rule == "region-bridge-unresolved")
        .collect();
    // one JNDI file, three publishers using it: the host is reported once
    assert_eq!(
        un.len(),
        1,
        "{:?}",
        only(&found, "region-bridge-unresolved")
    );
    assert!(
        un[0]
            .diagnostic
            .message
            .contains("did you mean `cp-2.r2.example.com`")
    );
    assert!(applied(&t, un[0]).contains("tcp://cp-2.r2.example.com:5672'"));
    assert_eq!(only(&found, "region-bridge-missing"), Vec::<String>::new());
}

#[test]
fn a_wrong_port_is_fixed_to_5672_plus_the_targets_offset() {
    let mut t = tree(2);
    edit_jndi(
        &mut t,
        "region-1/cp-1",
        "cp-1.r2.example.com:5672",
        "cp-1.r2.example.com:9611",
    );
    let found = check(&t);
    let un: Vec<&Found> = found
        .iter()
        .filter(|f| f.diagnostic.rule == "region-bridge-unresolved")
        .collect();
    assert!(!un.is_empty());
    assert!(applied(&t, un[0]).contains("cp-1.r2.example.com:5672;"));
}

#[test]
fn a_broker_of_the_own_region_is_a_loop_not_a_missing_stream() {
    let mut t = tree(2);
    edit_jndi(
        &mut t,
        "region-1/cp-1",
        "cp-1.r2.example.com:5672;tcp://cp-2.r2",
        "cp-2.r1.example.com:5672;tcp://cp-1.r1",
    );
    let found = check(&t);
    let loops = only(&found, "region-bridge-loop");
    assert_eq!(
        loops.len(),
        2,
        "{found:?}",
        found = found
            .iter()
            .map(|f| &f.diagnostic.message)
            .collect::<Vec<_>>()
    );
    assert!(loops[0].contains("region-1/cp-2"));
    assert!(only(&found, "region-bridge-missing").is_empty());
    assert!(only(&found, "region-bridge-unresolved").is_empty());
}

#[test]
fn topic_lines_and_jndi_paths_are_fixed_where_the_edit_is_plain() {
    let mut t = tree(2);
    edit_jndi(
        &mut t,
        "region-1/cp-1",
        "topic.keyManager = keyManager",
        "topic.keyManager = keymanager",
    );
    let found = check(&t);
    let un: Vec<&Found> = found
        .iter()
        .filter(|f| f.diagnostic.rule == "region-bridge-unresolved")
        .collect();
    assert_eq!(un.len(), 1);
    assert!(un[0].diagnostic.message.contains("not `keyManager`"));
    assert!(applied(&t, un[0]).contains("topic.keyManager = keyManager\n"));
    // a topic line missing: added to the JNDI file
    let mut t = tree(2);
    edit_jndi(
        &mut t,
        "region-1/cp-1",
        "topic.keyManager = keyManager\n",
        "",
    );
    let found = check(&t);
    let un: Vec<&Found> = found
        .iter()
        .filter(|f| f.diagnostic.rule == "region-bridge-unresolved")
        .collect();
    assert_eq!(un.len(), 1);
    assert!(applied(&t, un[0]).ends_with("topic.keyManager = keyManager\n"));
    // a JNDI path typo
    let mut t = tree(2);
    let h = home(&mut t, "region-1/cp-1");
    h.publishers[0].1 = h.publishers[0].1.replace("jndi-region2", "jndi-regoin2");
    let found = check(&t);
    let un = only(&found, "region-bridge-unresolved");
    assert_eq!(un.len(), 1, "{un:?}");
    assert!(only(&found, "region-bridge-missing").is_empty());
}

#[test]
fn a_cluster_address_apimlint_does_not_know_is_a_warning() {
    let mut t = tree(2);
    edit_jndi(
        &mut t,
        "region-1/cp-1",
        "cp-1.r2.example.com:5672;tcp://cp-2.r2.example.com",
        "mq.elsewhere.net:5672;tcp://mq2.elsewhere.net",
    );
    let found = check(&t);
    assert!(
        found
            .iter()
            .all(|f| f.diagnostic.rule == "region-bridge-unresolved"
                && f.diagnostic.severity == Severity::Warning)
    );
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].diagnostic.related.len(), 3);
}

#[test]
fn duplicate_names_and_duplicate_streams() {
    let mut t = tree(2);
    let h = home(&mut t, "region-1/cp-1");
    let extra = h.publishers[0].1.clone();
    h.publishers.push(("copy".into(), extra));
    let found = check(&t);
    assert_eq!(only(&found, "event-publisher-name-duplicate").len(), 1);
    // WSO2 deploys one of the two: no stream twice
    assert!(only(&found, "region-bridge-loop").is_empty());
    let mut t = tree(2);
    let h = home(&mut t, "region-1/cp-1");
    let extra = h.publishers[0]
        .1
        .replace("notificationJMSPublisherRegion2", "notificationAgain");
    h.publishers.push(("again".into(), extra));
    let found = check(&t);
    let loops = only(&found, "region-bridge-loop");
    assert_eq!(loops.len(), 1);
    assert!(loops[0].contains("a second time"));
}

#[test]
fn user_store_domains_drift_between_regions() {
    let store = |d: &str| {
        format!(
            "<UserStoreManager class=\"org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager\">\n  <Property name=\"ConnectionPassword\">s3cret-pass</Property>\n  <Property name=\"DomainName\">{d}</Property>\n</UserStoreManager>\n"
        )
    };
    let mut t = tree(2);
    home(&mut t, "region-1/cp-1")
        .userstores
        .push(store("PARTNERS"));
    home(&mut t, "region-2/cp-2")
        .userstores
        .push(store("partners"));
    assert!(check(&t).is_empty());
    home(&mut t, "region-1/cp-2")
        .userstores
        .push(store("STAFF"));
    let found = check(&t);
    let drift = only(&found, "userstore-drift");
    assert_eq!(drift.len(), 1);
    assert!(
        drift[0].starts_with("region-2 has no secondary user store `STAFF`"),
        "{}",
        drift[0]
    );
}

#[test]
fn no_output_names_the_broker_password() {
    let mut t = tree(3);
    for h in &mut t.homes {
        for j in &mut h.jndi {
            j.1 = j.1.replace("admin:admin", "bridge:Zq9-secret-Xw");
        }
    }
    edit_jndi(
        &mut t,
        "region-1/cp-1",
        "cp-1.r2.example.com",
        "cp-1.r2.exmple.com",
    );
    for f in check(&t) {
        let d = &f.diagnostic;
        let text = format!("{} {:?} {:?} {:?}", d.message, d.help, d.related, f.fix);
        assert!(!text.contains("Zq9-secret-Xw"), "{text}");
    }
}
