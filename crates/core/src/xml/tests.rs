#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::wso2::{Processing, read_event_publisher, read_user_store};
use super::{ErrorKind, Event, Reader, check};

/// WSO2's page (Pattern 1, Step 3), `notificationJMSPublisherRegion2.xml`,
/// with the declaration moved to the start of the file.
const NOTIFICATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
    <eventPublisher name="notificationJMSPublisherRegion2" statistics="disable"
    trace="disable"
    xmlns="http://wso2.org/carbon/eventpublisher">
    <from streamName="org.wso2.apimgt.notification.stream" version="1.0.0"/>
    <mapping customMapping="disable" type="json"/>
    <to eventAdapterType="jms">
    <property name="java.naming.factory.initial">org.wso2.andes.jndi.PropertiesFileInitialContextFactory</property>
    <property name="java.naming.provider.url">repository/conf/jndi-region2.properties</property>
    <property name="transport.jms.DestinationType">topic</property>
    <property name="transport.jms.Destination">notification</property>
    <property name="transport.jms.ConcurrentPublishers">allow</property>
    <property name="transport.jms.ConnectionFactoryJNDIName">TopicConnectionFactory</property>
    </to>
    </eventPublisher>
"#;

/// The page's webhooks publisher: `processing="disable"`, `jndi2-region2`.
const WEBHOOKS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
        <eventPublisher name="asyncWebhooksEventPublisher-1.0.0-Region2" statistics="disable" processing="disable"
        trace="disable"
        xmlns="http://wso2.org/carbon/eventpublisher">
        <from streamName="org.wso2.apimgt.webhooks.request.stream" version="1.0.0"/>
        <mapping customMapping="disable" type="json"/>
        <to eventAdapterType="jms">
        <property name="java.naming.provider.url">repository/conf/jndi2-region2.properties</property>
        <property name="transport.jms.Destination">asyncWebhooksData</property>
        </to>
        </eventPublisher>
"#;

fn at<'a>(src: &'a str, r: &std::ops::Range<usize>) -> &'a str {
    &src[r.clone()]
}

#[test]
fn the_docs_notification_publisher() {
    let p = read_event_publisher(NOTIFICATION).unwrap();
    assert_eq!(p.name.value, "notificationJMSPublisherRegion2");
    assert_eq!(
        at(NOTIFICATION, &p.name.span),
        "notificationJMSPublisherRegion2"
    );
    assert_eq!(p.processing, Processing::Enabled);
    assert_eq!(p.processing_span, None);
    assert_eq!(p.stream_name.value, "org.wso2.apimgt.notification.stream");
    assert_eq!(at(NOTIFICATION, &p.stream_name.span), p.stream_name.value);
    assert_eq!(at(NOTIFICATION, &p.stream_version.span), "1.0.0");
    assert_eq!(p.mapping_type.value, "json");
    assert_eq!(p.adapter_type.value, "jms");
    assert_eq!(at(NOTIFICATION, &p.adapter_type.span), "jms");
    assert_eq!(p.properties.len(), 6);
    let url = p.property("java.naming.provider.url").unwrap();
    assert_eq!(url.value, "repository/conf/jndi-region2.properties");
    assert_eq!(at(NOTIFICATION, &url.value_span), url.value);
    assert_eq!(at(NOTIFICATION, &url.name_span), "java.naming.provider.url");
    assert!(!url.encrypted);
    let dest = p.property("transport.jms.Destination").unwrap();
    assert_eq!(dest.value, "notification");
}

#[test]
fn the_docs_webhooks_publisher_is_disabled() {
    let p = read_event_publisher(WEBHOOKS).unwrap();
    assert_eq!(p.processing, Processing::Disabled);
    assert_eq!(at(WEBHOOKS, p.processing_span.as_ref().unwrap()), "disable");
    assert_eq!(
        p.property("java.naming.provider.url").unwrap().value,
        "repository/conf/jndi2-region2.properties"
    );
    // Carbon: equalsIgnoreCase("disable")
    let upper = WEBHOOKS.replace("processing=\"disable\"", "processing=\"DISABLE\"");
    assert_eq!(
        read_event_publisher(&upper).unwrap().processing,
        Processing::Disabled
    );
    let other = WEBHOOKS.replace("processing=\"disable\"", "processing=\"off\"");
    assert_eq!(
        read_event_publisher(&other).unwrap().processing,
        Processing::Enabled
    );
}

#[test]
fn the_docs_indentation_before_the_declaration_is_refused() {
    // as printed on the page: spaces before `<?xml`
    let src = format!("    {NOTIFICATION}");
    let e = read_event_publisher(&src).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MisplacedDeclaration);
    assert_eq!(&src[e.span.clone()], "<?xml");
    assert_eq!(e.line_col(&src).line, 1);
    assert_eq!(e.line_col(&src).column, 5);
}

#[test]
fn children_outside_the_namespace_are_not_wso2s() {
    let src = NOTIFICATION.replace(" xmlns=\"http://wso2.org/carbon/eventpublisher\"", "");
    let e = read_event_publisher(&src).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Shape);
    assert!(e.message.contains("<from> is missing"), "{}", e.message);
}

#[test]
fn missing_parts_are_located() {
    let src = NOTIFICATION.replace(" version=\"1.0.0\"", "");
    let e = read_event_publisher(&src).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Shape);
    assert_eq!(&src[e.span.clone()], "from");
    let src = NOTIFICATION.replace(
        "<eventPublisher name=\"notificationJMSPublisherRegion2\"",
        "<eventPublisher",
    );
    let e = read_event_publisher(&src).unwrap_err();
    assert_eq!(&src[e.span.clone()], "eventPublisher");
    let e = read_event_publisher("<eventPublisherX/>").unwrap_err();
    assert!(e.message.contains("not <eventPublisher>"));
}

#[test]
fn the_contract_example_with_prefixes_entities_and_cdata() {
    let src = r#"<ep:eventPublisher xmlns:ep="http://wso2.org/carbon/eventpublisher" name="a&amp;b&#x41;&#66;">
  <ep:from streamName="s" version="1.0.0"/><ep:mapping type="json"/>
  <ep:to eventAdapterType="jms">
    <ep:property name="x"><![CDATA[tcp://a<b]]></ep:property>
    <ep:property name="y" encrypted="true">c2VjcmV0</ep:property>
    <ep:property name="z"/>
    <ep:property name="w"> a &lt; b </ep:property>
    <ep:property name="x">second</ep:property>
  </ep:to>
</ep:eventPublisher>"#;
    let p = read_event_publisher(src).unwrap();
    assert_eq!(p.name.value, "a&bAB");
    assert_eq!(at(src, &p.name.span), "a&amp;b&#x41;&#66;");
    assert_eq!(p.properties[0].value, "tcp://a<b");
    assert_eq!(at(src, &p.properties[0].value_span), "tcp://a<b");
    assert!(p.properties[1].encrypted);
    let z = &p.properties[2];
    assert_eq!(z.value, "");
    assert!(z.value_span.is_empty());
    assert_eq!(
        &src[..z.value_span.start].rsplit('<').next().unwrap(),
        &"ep:property name=\"z\"/>"
    );
    // not trimmed, as Carbon's getText()
    assert_eq!(p.properties[3].value, " a < b ");
    assert_eq!(at(src, &p.properties[3].value_span), " a &lt; b ");
    // the last of a repeated name is WSO2's
    assert_eq!(p.property("x").unwrap().value, "second");
}

#[test]
fn crlf_and_bom() {
    let src = format!("\u{feff}{}", NOTIFICATION.replace('\n', "\r\n"));
    let p = read_event_publisher(&src).unwrap();
    assert_eq!(at(&src, &p.name.span), "notificationJMSPublisherRegion2");
    let t = "<a>x\r\ny\rz</a>";
    let texts: Vec<_> = Reader::new(t)
        .filter_map(|e| match e.unwrap() {
            Event::Text { value, span, .. } => Some((value.into_owned(), span)),
            _ => None,
        })
        .collect();
    assert_eq!(texts, [("x\ny\nz".to_string(), 3..9)]);
    // attribute whitespace normalisation
    let a = "<a b=\"x\ty\r\nz\"/>";
    let Some(Ok(Event::Start { attrs, .. })) = Reader::new(a).next() else {
        panic!()
    };
    assert_eq!(attrs[0].value, "x y z");
    assert_eq!(at(a, &attrs[0].value_span), "x\ty\r\nz");
}

#[test]
fn user_stores() {
    // WSO2's secondary user store format (`userstores/*.xml`)
    let src = r#"<?xml version="1.0" encoding="UTF-8"?>
<UserStoreManager class="org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager">
    <Property name="ConnectionURL">ldap://localhost:10389</Property>
    <Property name="ConnectionName">uid=admin,ou=system</Property>
    <Property encrypted="true" name="ConnectionPassword">kuv2MubUUveMyv6GeHrXr9il59ajJIqUI4eoYHcgGKf/BBFOWn96NTjJQI+wYbWjKW6r79S7L7ZzgYeWx7DlGbff5X3pBN2Gh9yV0BHP1E93QtFqR7uTWi141Tr7V7ZwScwNqJbiNoV+vyLbsqKJE7T561L2gfaHk3URqsf4CF+JbqAIw8=</Property>
    <Property name="UserSearchBase">ou=Users,dc=wso2,dc=org</Property>
    <Property name="DomainName">WSO2.COM</Property>
    <Property name="Description"/>
</UserStoreManager>
"#;
    let u = read_user_store(src).unwrap();
    assert_eq!(u.domain_name.value, "WSO2.COM");
    assert_eq!(at(src, &u.domain_name.span), "WSO2.COM");
    assert_eq!(
        u.class.unwrap().value,
        "org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager"
    );
    assert_eq!(u.secret_spans.len(), 1);
    assert!(at(src, &u.secret_spans[0]).starts_with("kuv2"));
    let e = read_user_store(&src.replace("DomainName", "Domain")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Shape);
    assert_eq!(&src[e.span.clone()], "UserStoreManager");
    assert!(read_user_store("<eventPublisher/>").is_err());
}

#[test]
fn billion_laughs_is_refused_unexpanded() {
    let src = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"#;
    let e = check(src).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Entity);
    assert_eq!(&src[e.span.clone()], "<!ENTITY");
    assert_eq!(e.line_col(src).line, 3);
}

#[test]
fn external_entities_are_refused() {
    let src = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    assert_eq!(check(src).unwrap_err().kind, ErrorKind::Entity);
    // an external DTD is never read; its entities are undeclared here
    let src = "<!DOCTYPE r SYSTEM \"http://example.com/x.dtd\"><r>&x;</r>";
    let e = check(src).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Entity);
    assert_eq!(&src[e.span.clone()], "&x;");
    // a DOCTYPE without entities is fine
    check("<!DOCTYPE r [<!-- <!ENTITY in a comment> -->]><r/>").unwrap();
    // quoted `>` and `[` inside a DOCTYPE
    check("<!DOCTYPE r PUBLIC \"a>[b\" \"c\"><r/>").unwrap();
}

#[test]
fn malformed_xml_is_located() {
    let cases: &[(&str, &str, &str)] = &[
        ("<a><b></a>", "a", "closes"),
        ("<a>", "a", "ends inside"),
        ("<a", "", "ends inside"),
        ("<a x='1' x='2'/>", "x", "twice"),
        ("<a x='<'/>", "<", "`<`"),
        ("<a x=1/>", "1", "quoted"),
        ("<a x='1'y='2'/>", "y", "`>`"),
        ("<a>&bogus</a>", "&", "reference"),
        ("<a>&#0;</a>", "&#0;", "no character"),
        ("<a>&#xD800;</a>", "&#xD800;", "no character"),
        ("<a/><b/>", "<", "after the root"),
        ("text<a/>", "t", "before the root"),
        ("", "", "no root"),
        ("<!-- x", "", "comment"),
        ("<a><![CDATA[x</a>", "a", "CDATA"),
        ("<p:a/>", "p:a", "prefix `p`"),
        ("<1a/>", "1", "name"),
        ("<a><!ELEMENT x></a>", "<!", "declaration"),
        ("</a>", "a", "without a start tag"),
    ];
    for (src, span, msg) in cases {
        let e = check(src).unwrap_err();
        assert_eq!(&src[e.span.clone()], *span, "{src}: {e:?}");
        assert!(e.message.contains(msg), "{src}: {}", e.message);
    }
}

#[test]
fn deep_nesting_is_linear_and_located() {
    let n = 10 * 1024 * 1024 / 3;
    let src = "<a>".repeat(n);
    let t = std::time::Instant::now();
    let e = check(&src).unwrap_err();
    assert!(e.message.contains("ends inside"), "{}", e.message);
    // reported at the innermost open element
    assert_eq!(e.span, (n - 1) * 3 + 1..n * 3 - 1);
    eprintln!("10 MiB of <a>: {:?}", t.elapsed());
    let closed = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    check(&closed).unwrap();
}

#[test]
fn spans_of_events() {
    let src = "<r a='1'><c>t</c><d/></r>";
    let ev: Vec<_> = Reader::new(src).map(Result::unwrap).collect();
    let ends: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::End { name, span, depth } => Some((*name, &src[span.clone()], *depth)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ends,
        [("c", "<c>t</c>", 1), ("d", "<d/>", 1), ("r", src, 0)]
    );
}
