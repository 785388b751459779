//! A node is its API-M home: the event publishers, JNDI files, user stores
//! and keystores under the directory holding `repository/conf/deployment.toml`
//! are read into the node, parsed, and reachable through `Node::home`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use apimlint_core::{Config, Content, DiskFs, FileKind, Home, Vfs};

pub(crate) const PUBLISHER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<eventPublisher name="notificationJMSPublisherRegion2" xmlns="http://wso2.org/carbon/eventpublisher">
  <from streamName="org.wso2.apimgt.notification.stream" version="1.0.0"/>
  <mapping customMapping="disable" type="json"/>
  <to eventAdapterType="jms">
    <property name="java.naming.factory.initial">org.wso2.andes.jndi.PropertiesFileInitialContextFactory</property>
    <property name="java.naming.provider.url">repository/conf/jndi-region2.properties</property>
    <property name="transport.jms.DestinationType">topic</property>
    <property name="transport.jms.Destination">notification</property>
    <property name="transport.jms.ConnectionFactoryJNDIName">TopicConnectionFactory</property>
  </to>
</eventPublisher>
"#;

pub(crate) const JNDI: &str = "connectionfactory.TopicConnectionFactory = amqp://admin:Br0kerPassw0rd@clientid/carbon?brokerlist='tcp://cp.region-2.example.com:5672'\ntopic.notification = notification\n";

pub(crate) const USER_STORE: &str = r#"<UserStoreManager class="org.wso2.carbon.user.core.jdbc.UniqueIDJDBCUserStoreManager">
  <Property name="DomainName">PARTNERS</Property>
  <Property name="ConnectionPassword">UserSt0reSecret</Property>
</UserStoreManager>
"#;

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("home-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn keystore_fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keystores")
        .join(name);
    std::fs::read(p).unwrap()
}

/// A plain tree of one node, `region-1/cp-1`, whose home holds an event
/// publisher, the JNDI file it names, a user store, two keystores its TOML
/// names, one it does not and a file apimlint does not read; and a home file
/// under no node.
fn plain_tree(root: &Path) {
    let home = root.join("region-1/cp-1");
    write(
        &home.join("repository/conf/deployment.toml"),
        b"[server]\nhostname = \"cp-1\"\n\n[keystore.tls]\nfile_name = \"tls.p12\"\n",
    );
    write(
        &home.join("repository/deployment/server/eventpublishers/notification.xml"),
        PUBLISHER.as_bytes(),
    );
    write(
        &home.join("repository/conf/jndi-region2.properties"),
        JNDI.as_bytes(),
    );
    write(
        &home.join("repository/conf/log4j2.properties"),
        b"not = read\n",
    );
    write(
        &home.join("repository/deployment/server/userstores/partners.xml"),
        USER_STORE.as_bytes(),
    );
    write(
        &home.join("repository/resources/security/wso2carbon.jks"),
        &keystore_fixture("chain.jks"),
    );
    write(
        &home.join("repository/resources/security/tls.p12"),
        &keystore_fixture("legacy.p12"),
    );
    write(
        &home.join("repository/resources/security/unnamed.jks"),
        b"never read",
    );
    // a file under no node's home is not read
    write(
        &root.join("stray/repository/deployment/server/eventpublishers/x.xml"),
        b"<x",
    );
}

#[test]
fn a_plain_trees_home_files_are_read_into_their_node() {
    let root = scratch("plain");
    plain_tree(&root);

    let disc = apimlint_core::vfs::discover(&root, &[], None).unwrap();
    let dep = apimlint_core::load(&DiskFs, &disc, Config::default());
    assert_eq!(dep.nodes().len(), 1);
    let node = &dep.nodes()[0];
    let home = node.home();
    let rels: Vec<&str> = home.files.iter().map(|f| f.rel.as_str()).collect();
    assert_eq!(
        rels,
        [
            "repository/conf/jndi-region2.properties",
            "repository/deployment/server/eventpublishers/notification.xml",
            "repository/deployment/server/userstores/partners.xml",
            "repository/resources/security/tls.p12",
            "repository/resources/security/wso2carbon.jks",
        ]
    );
    // every file has its own id, and the deployment knows whose it is
    for f in &home.files {
        assert_ne!(f.file, node.file);
        assert_eq!(dep.owner(f.file), Some(0));
        assert_eq!(dep.id_of(f.file), node.id);
        assert_eq!(dep.home_file(f.file).unwrap().1.rel, f.rel);
    }
    assert_publisher_and_jndi(home);
    assert_user_store_and_keystores(home);
}

/// [`plain_tree`]'s event publisher and the JNDI file it names: parsed, the
/// broker's host located, the broker password redacted.
fn assert_publisher_and_jndi(home: &Home) {
    let (pf, p) = home.event_publishers().next().unwrap();
    assert_eq!(pf.kind, FileKind::EventPublisherXml);
    assert_eq!(p.name.value, "notificationJMSPublisherRegion2");
    let url = p.property("java.naming.provider.url").unwrap();
    assert_eq!(
        &pf.text[url.value_span.clone()],
        "repository/conf/jndi-region2.properties"
    );

    let (jf, jndi) = home.jndi(&url.value).unwrap();
    let u = &jndi.urls[0];
    let broker = &u.url.as_ref().unwrap().brokers[0];
    assert_eq!(
        &jf.text[u.span(&broker.host_span)],
        "cp.region-2.example.com"
    );
    assert!(
        !jf.redacted().contains("Br0kerPassw0rd"),
        "{}",
        jf.redacted()
    );
}

/// [`plain_tree`]'s user store (its password redacted) and keystores: those
/// the TOML names (the defaults where not written), with their bytes.
fn assert_user_store_and_keystores(home: &Home) {
    let (uf, store) = home.user_stores().next().unwrap();
    assert_eq!(store.domain_name.value, "PARTNERS");
    assert!(!uf.redacted().contains("UserSt0reSecret"));

    // the keystores the TOML names (the defaults where not written), bytes
    assert!(home.keystore("unnamed.jks").is_none());
    let primary = home.keystore("wso2carbon.jks").unwrap();
    assert!(matches!(primary.content, Content::Keystore));
    assert_eq!(
        primary.bytes().unwrap(),
        keystore_fixture("chain.jks").as_slice()
    );
    assert!(primary.keystore(None).unwrap().is_ok());
    assert!(home.keystore("tls.p12").is_some());
    assert!(home.keystore("client-truststore.jks").is_none());
    assert!(
        home.keystore_names
            .iter()
            .any(|(t, n)| *t == "keystore.tls" && n == "tls.p12")
    );
}

/// A `deployment.toml` outside `repository/conf`: the directory holding it
/// is no API-M home, and nothing under it is read into the node.
#[test]
fn a_node_file_outside_repository_conf_has_no_home() {
    let bare = scratch("bare");
    write(&bare.join("gw/deployment.toml"), b"[server]\n");
    write(
        &bare.join("gw/repository/conf/jndi.properties"),
        JNDI.as_bytes(),
    );
    let disc = apimlint_core::vfs::discover(&bare, &[], None).unwrap();
    let dep = apimlint_core::load(&DiskFs, &disc, Config::default());
    assert!(dep.nodes()[0].home().is_empty());
    assert!(DiskFs.is_dir(&bare));
}

fn base64(b: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A literal block scalar of `text` at `indent` spaces.
fn block(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::from("|\n");
    for l in text.lines() {
        out.push_str(&pad);
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// A chart-style stream: the TOML and the bridge files in one ConfigMap
/// (the TOML and the JNDI file by subPath, the publishers' directory with
/// `items`), the keystores from one Secret mounted as the security
/// directory, the user store from a Secret's `stringData` by subPath.
pub(crate) fn chart_stream() -> String {
    let home = "/home/wso2carbon/wso2am-4.2.0";
    format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: cp-conf
  namespace: r1
data:
  deployment.toml: {toml}  jndi-region2.properties: {jndi}  notification.xml: {publisher}---
apiVersion: v1
kind: Secret
metadata:
  name: cp-keystores
  namespace: r1
data:
  wso2carbon.jks: {jks}
  unnamed.jks: {jks}
---
apiVersion: v1
kind: Secret
metadata:
  name: cp-userstores
  namespace: r1
stringData:
  partners.xml: {store}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cp-1
  namespace: r1
spec:
  replicas: 1
  template:
    metadata:
      labels:
        app: cp-1
    spec:
      containers:
        - name: am
          volumeMounts:
            - name: conf
              mountPath: {home}/repository/conf/deployment.toml
              subPath: deployment.toml
            - name: conf
              mountPath: {home}/repository/conf/jndi-region2.properties
              subPath: jndi-region2.properties
            - name: publishers
              mountPath: {home}/repository/deployment/server/eventpublishers
            - name: keystores
              mountPath: {home}/repository/resources/security
            - name: stores
              mountPath: {home}/repository/deployment/server/userstores/partners.xml
              subPath: partners.xml
      volumes:
        - name: conf
          configMap:
            name: cp-conf
        - name: publishers
          configMap:
            name: cp-conf
            items:
              - key: notification.xml
                path: notificationJMSPublisherRegion2.xml
        - name: keystores
          secret:
            secretName: cp-keystores
        - name: stores
          secret:
            secretName: cp-userstores
"#,
        toml = block(
            "[server]\nhostname = \"cp-1\"\nserver_role = \"control-plane\"\n",
            4
        ),
        jndi = block(JNDI, 4),
        publisher = block(
            PUBLISHER.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            4
        ),
        store = block(USER_STORE, 4),
        jks = base64(&keystore_fixture("chain.jks")),
    )
}

#[test]
fn a_manifests_mounted_home_files_are_read_into_their_node() {
    let root = scratch("manifest");
    write(&root.join("r1/cp.yaml"), chart_stream().as_bytes());
    let disc = apimlint_core::vfs::discover(&root, &[], None).unwrap();
    let dep = apimlint_core::load(&DiskFs, &disc, Config::default());
    assert_eq!(
        dep.nodes().len(),
        1,
        "{:#?}",
        dep.nodes().iter().map(|n| &n.path).collect::<Vec<_>>()
    );
    let node = &dep.nodes()[0];
    let home = node.home();
    let rels: Vec<&str> = home.files.iter().map(|f| f.rel.as_str()).collect();
    assert_eq!(
        rels,
        [
            "repository/conf/jndi-region2.properties",
            "repository/deployment/server/eventpublishers/notificationJMSPublisherRegion2.xml",
            "repository/deployment/server/userstores/partners.xml",
            "repository/resources/security/wso2carbon.jks",
        ]
    );
    let (pf, p) = home.event_publishers().next().unwrap();
    assert_eq!(p.name.value, "notificationJMSPublisherRegion2");
    // a span of the file is placed in the manifest
    let manifest = std::fs::read_to_string(root.join("r1/cp.yaml")).unwrap();
    let place = pf.place(&p.name.span);
    assert!(place.path.ends_with("r1/cp.yaml"));
    assert_eq!(
        &manifest[place.range.clone()],
        "notificationJMSPublisherRegion2"
    );
    assert!(pf.writable().is_err());
    let (jf, j) = home
        .jndi("repository/conf/jndi-region2.properties")
        .unwrap();
    let b = &j.urls[0].url.as_ref().unwrap().brokers[0];
    let at = jf.place(&j.urls[0].span(&b.host_span));
    assert_eq!(&manifest[at.range], "cp.region-2.example.com");
    // the shown manifest has the broker password starred
    let shown = dep.shown(jf.file).unwrap();
    assert!(shown.path.ends_with("r1/cp.yaml"));
    assert!(!shown.text.contains("Br0kerPassw0rd"));
    assert!(manifest.contains("Br0kerPassw0rd"));
    let ks = home.keystore("wso2carbon.jks").unwrap();
    assert_eq!(
        ks.bytes().unwrap(),
        keystore_fixture("chain.jks").as_slice()
    );
    assert!(home.keystore("unnamed.jks").is_none());
    let (_, store) = home.user_stores().next().unwrap();
    assert_eq!(store.domain_name.value, "PARTNERS");
}
