#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::{DEFAULT_PORT, parse};

#[test]
fn the_docs_url() {
    let v = "amqp://admin:admin@clientid/carbon?brokerlist='tcp://cp.region-2.example.com:5672'";
    let u = parse(v).unwrap();
    assert_eq!(u.user, "admin");
    assert_eq!(&v[u.userinfo_span.clone()], "admin:admin");
    assert_eq!(u.client_id, "clientid");
    assert_eq!(u.virtual_host, "carbon");
    assert_eq!(u.brokers.len(), 1);
    let b = &u.brokers[0];
    assert_eq!(
        (b.scheme.as_str(), b.host.as_str(), b.port),
        ("tcp", "cp.region-2.example.com", 5672)
    );
    assert_eq!(&v[b.host_span.clone()], "cp.region-2.example.com");
    assert_eq!(&v[b.port_span.clone().unwrap()], "5672");
    assert_eq!(&v[b.span.clone()], "tcp://cp.region-2.example.com:5672");
    assert_eq!(
        &v[u.option("brokerlist").unwrap().name_span.clone()],
        "brokerlist"
    );
}

#[test]
fn the_simulators_url_with_percent_encoded_ampersand() {
    // BechtelCanDoIt/WSO2-APIM-Multi-DC-Simulator jndi-region2.properties
    let v = "amqp://admin:admin@clientid/carbon?brokerlist='tcp://wso2apim-cp-dc2:5672?retries='5'%26connectdelay='50';'";
    let u = parse(v).unwrap();
    assert_eq!(u.brokers.len(), 1);
    let b = &u.brokers[0];
    assert_eq!(b.host, "wso2apim-cp-dc2");
    assert_eq!(&v[b.host_span.clone()], "wso2apim-cp-dc2");
    assert_eq!(b.port, 5672);
    let opts: Vec<_> = b
        .options
        .iter()
        .map(|o| (o.name.as_str(), o.value.as_str()))
        .collect();
    assert_eq!(opts, [("retries", "5"), ("connectdelay", "50")]);
    // spans map through the `%26` back to the source
    assert_eq!(&v[b.options[1].name_span.clone()], "connectdelay");
    assert_eq!(&v[b.options[1].value_span.clone()], "50");
}

#[test]
fn failover_with_several_brokers_and_options() {
    let v = "amqp://u:p%40ss@cid/vh?failover='roundrobin'&cyclecount='2'&brokerlist='tcp://h1:5672?retries='5'&connectdelay='50';ssl://[2001:db8::1]:5671;tcp://h3'";
    let u = parse(v).unwrap();
    assert_eq!(&v[u.userinfo_span.clone()], "u:p%40ss");
    assert_eq!(u.option("failover").unwrap().value, "roundrobin");
    assert_eq!(u.option("cyclecount").unwrap().value, "2");
    let hosts: Vec<_> = u
        .brokers
        .iter()
        .map(|b| (b.scheme.as_str(), b.host.as_str(), b.port))
        .collect();
    assert_eq!(
        hosts,
        [
            ("tcp", "h1", 5672),
            ("ssl", "[2001:db8::1]", 5671),
            ("tcp", "h3", DEFAULT_PORT)
        ]
    );
    assert_eq!(&v[u.brokers[1].host_span.clone()], "[2001:db8::1]");
    assert_eq!(u.brokers[2].port_span, None);
    assert_eq!(u.brokers[0].options.len(), 2);
}

#[test]
fn bad_urls_are_located() {
    let cases: &[(&str, &str, &str)] = &[
        ("tcp://h:5672", "tcp://", "amqp://"),
        ("amqp://clientid/carbon", "clientid", "user information"),
        ("amqp://a:b@c", "amqp://a:b@c", "virtual host"),
        (
            "amqp://a:b@c/v?brokerlist='tcp://h:99999'",
            "99999",
            "not a port",
        ),
        ("amqp://a:b@c/v?brokerlist='tcp://h:x1'", "x1", "not a port"),
        (
            "amqp://a:b@c/v?brokerlist='tcp://[::1:5672'",
            "[::1:5672",
            "IPv6",
        ),
        (
            "amqp://a:b@c/v?brokerlist='tcp://h:5672",
            "'tcp://h:5672",
            "unterminated",
        ),
        ("amqp://a:b@c/v?brokerlist=''", "", "empty"),
        (
            "amqp://a:b@c/v?brokerlist='tcp://:5672'",
            "tcp://:5672",
            "without a host",
        ),
        ("amqp://a:b@c/v?x", "x", "without `=value`"),
    ];
    for (v, span, msg) in cases {
        let e = parse(v).unwrap_err();
        assert_eq!(&v[e.span.clone()], *span, "{v}: {e:?}");
        assert!(e.message.contains(msg), "{v}: {}", e.message);
    }
}
