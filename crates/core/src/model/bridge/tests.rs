#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::*;
use crate::properties;
use crate::xml::wso2::read_event_publisher;

pub(crate) fn publisher(name: &str, stream: &str, jndi: &str, dest: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<eventPublisher name="{name}" statistics="disable" trace="disable" xmlns="http://wso2.org/carbon/eventpublisher">
  <from streamName="{stream}" version="1.0.0"/>
  <mapping customMapping="disable" type="json"/>
  <to eventAdapterType="jms">
    <property name="java.naming.factory.initial">org.wso2.andes.jndi.PropertiesFileInitialContextFactory</property>
    <property name="java.naming.provider.url">{jndi}</property>
    <property name="transport.jms.DestinationType">topic</property>
    <property name="transport.jms.Destination">{dest}</property>
    <property name="transport.jms.ConcurrentPublishers">allow</property>
    <property name="transport.jms.ConnectionFactoryJNDIName">TopicConnectionFactory</property>
  </to>
</eventPublisher>
"#
    )
}

pub(crate) fn jndi(brokers: &str) -> String {
    format!(
        "connectionfactory.TopicConnectionFactory = amqp://admin:admin@clientid/carbon?brokerlist='{brokers}'\n\
         topic.notification = notification\ntopic.tokenRevocation = tokenRevocation\n\
         topic.keyManager = keyManager\ntopic.asyncWebhooksData = asyncWebhooksData\n"
    )
}

const PATH: &str = "repository/conf/jndi-region2.properties";
const NOTIFY: &str = "org.wso2.apimgt.notification.stream";

fn chain_of(xml: &str, props_text: &str, path: &str) -> (Vec<Break>, Vec<String>) {
    let p = read_event_publisher(xml).unwrap();
    let props = properties::read(props_text).unwrap();
    let j = JndiFile {
        file: FileId(2),
        path,
        text: props_text,
        props: &props,
    };
    let c = chain(
        PublisherFile {
            file: FileId(1),
            publisher: &p,
        },
        &[j],
    );
    let hosts = c
        .brokers()
        .iter()
        .map(|b| props_text[b.host_span.clone()].to_owned())
        .collect();
    (c.breaks, hosts)
}

#[test]
fn a_complete_chain_has_no_break_and_its_brokers_are_located_in_the_file() {
    let text = jndi("tcp://cp-1.r2.example.com:5672;tcp://cp-2.r2.example.com:5672");
    let xml = publisher("n", NOTIFY, &format!("./{PATH}"), "notification");
    let (breaks, hosts) = chain_of(&xml, &text, PATH);
    assert_eq!(breaks, []);
    assert_eq!(hosts, ["cp-1.r2.example.com", "cp-2.r2.example.com"]);
}

#[test]
fn each_link_of_the_chain_breaks_on_its_own() {
    let text = jndi("tcp://cp-1.r2.example.com:5672");
    let xml = publisher(
        "n",
        NOTIFY,
        "repository/conf/jndi-regoin2.properties",
        "notification",
    );
    assert_eq!(
        chain_of(&xml, &text, PATH).0,
        [Break::NoJndiFile {
            suggestion: Some(PATH.into())
        }]
    );
    let xml = publisher("n", NOTIFY, PATH, "notifcation");
    assert_eq!(
        chain_of(&xml, &text, PATH).0,
        [Break::NoTopic {
            prefix: "topic.",
            dest: "notifcation".into(),
            key: Some("notification".into())
        }]
    );
    let wrong = text.replace(
        "topic.notification = notification",
        "topic.notification = keyManager",
    );
    let xml = publisher("n", NOTIFY, PATH, "notification");
    assert_eq!(
        chain_of(&xml, &wrong, PATH).0,
        [Break::WrongTopic {
            want: "notification"
        }]
    );
    let no_factory = text.replace("TopicConnectionFactory", "TopicFactory");
    assert!(matches!(
        &chain_of(&xml, &no_factory, PATH).0[..],
        [Break::NoFactory { suggestion: Some(s), .. }] if s == "TopicFactory"
    ));
    let bad = text.replace("amqp://", "http://");
    assert!(matches!(
        &chain_of(&xml, &bad, PATH).0[..],
        [Break::BadUrl { .. }]
    ));
}

#[test]
fn wso2s_own_jndi_files_and_disabled_publishers_are_no_bridge() {
    for own in [
        "repository/conf/jndi.properties",
        "repository/conf/jndi2-cp.properties",
    ] {
        let p = read_event_publisher(&publisher("n", NOTIFY, own, "notification")).unwrap();
        assert_eq!(kind(&p), Kind::Local);
    }
    let xml = publisher("n", NOTIFY, PATH, "notification")
        .replace("trace=\"disable\"", "processing=\"disable\"");
    assert_eq!(kind(&read_event_publisher(&xml).unwrap()), Kind::Disabled);
    let xml = publisher("n", NOTIFY, PATH, "notification").replace("\"jms\"", "\"http\"");
    assert_eq!(kind(&read_event_publisher(&xml).unwrap()), Kind::NotJms);
}

#[test]
fn default_broker_credentials_only_in_a_bridge_file() {
    let text = jndi("tcp://cp-1.r2.example.com:5672");
    let props = properties::read(&text).unwrap();
    let j = |path| JndiFile {
        file: FileId(2),
        path,
        text: &text,
        props: &props,
    };
    let found = default_broker_credentials(&j(PATH));
    assert_eq!(found.len(), 1);
    assert_eq!(&text[found[0].clone()], "admin:admin");
    assert!(default_broker_credentials(&j("repository/conf/jndi.properties")).is_empty());
    let other = text.replace("admin:admin", "bridge:s3cret-pass");
    let props = properties::read(&other).unwrap();
    let j = JndiFile {
        file: FileId(2),
        path: PATH,
        text: &other,
        props: &props,
    };
    assert!(default_broker_credentials(&j).is_empty());
}

#[test]
fn home_paths_compare_lexically() {
    assert_eq!(
        home_path("./repository/conf/../conf/jndi.properties"),
        "repository/conf/jndi.properties"
    );
    assert_eq!(
        home_path("repository\\conf\\x.properties "),
        "repository/conf/x.properties"
    );
}
