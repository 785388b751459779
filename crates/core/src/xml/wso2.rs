//! What WSO2 reads from an event publisher file
//! (`repository/deployment/server/eventpublishers/*.xml`) and a secondary
//! user store file (`repository/deployment/server/userstores/*.xml`), as
//! Carbon's `EventPublisherConfigurationBuilder` and user store deployer read
//! them: the root's local name, children in the event publisher namespace,
//! `processing` disabled only by `disable` (any case), a property's value
//! its text as written (not trimmed: `getText()`).

use std::ops::Range;

use super::{ErrorKind, Event, Reader, XmlError, local_name};

/// The namespace of an event publisher's elements (`EF_CONF_NS`).
pub(crate) const EVENT_PUBLISHER_NS: &str = "http://wso2.org/carbon/eventpublisher";

/// A value with the byte range of its raw text in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// `processing="…"` of an event publisher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    Enabled,
    Disabled,
}

/// A `<property name="…">value</property>` of `<to>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub value: String,
    pub name_span: Range<usize>,
    /// The raw text between the tags (empty, at the end of the start tag, for
    /// `<property name="x"/>`).
    pub value_span: Range<usize>,
    /// `encrypted="true"`: the value is Carbon-encrypted (a secret).
    pub encrypted: bool,
}

/// An event publisher file, as WSO2 deploys it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPublisher {
    pub name: Spanned<String>,
    pub processing: Processing,
    /// The `processing` attribute's value, where written.
    pub processing_span: Option<Range<usize>>,
    pub stream_name: Spanned<String>,
    pub stream_version: Spanned<String>,
    /// `<mapping type="…">` (`json`, `xml`, `text`, `map`, `wso2event`).
    pub mapping_type: Spanned<String>,
    /// `<to eventAdapterType="…">` (`jms`, `http`, …).
    pub adapter_type: Spanned<String>,
    /// The properties of `<to>`, in file order (a repeated name: the last wins
    /// in WSO2; `property` gives that one).
    pub properties: Vec<Property>,
}

impl EventPublisher {
    /// The value WSO2 uses for a property: the last one of that name.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().rev().find(|p| p.name == name)
    }
}

/// A secondary user store file: only what apimlint compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStore {
    /// `<UserStoreManager class="…">`.
    pub class: Option<Spanned<String>>,
    /// `<Property name="DomainName">` (the value as written).
    pub domain_name: Spanned<String>,
    /// Value ranges of password properties (`ConnectionPassword`, any
    /// `…Password`) and `encrypted="true"` ones: secrets for redaction.
    pub secret_spans: Vec<Range<usize>>,
}

fn attr<'a>(attrs: &[super::Attr<'a>], name: &str) -> Option<Spanned<String>> {
    attrs.iter().find(|a| a.name == name).map(|a| Spanned {
        value: a.value.to_string(),
        span: a.value_span.clone(),
    })
}

fn shape(span: Range<usize>, msg: impl Into<String>) -> XmlError {
    XmlError {
        kind: ErrorKind::Shape,
        span,
        message: msg.into(),
    }
}

fn required(
    found: Option<Spanned<String>>,
    at: &Range<usize>,
    what: &str,
) -> Result<Spanned<String>, XmlError> {
    found.ok_or_else(|| {
        shape(
            at.clone(),
            format!("{what} is missing: WSO2 does not deploy this event publisher"),
        )
    })
}

/// Text collected for the element being read (a property's value).
struct TextAcc {
    value: String,
    span: Option<Range<usize>>,
}

impl TextAcc {
    fn push(&mut self, v: &str, span: &Range<usize>) {
        self.value.push_str(v);
        self.span = Some(match self.span.take() {
            Some(s) => s.start..span.end,
            None => span.clone(),
        });
    }
}

/// Where an element was, and the attributes read from it.
type Found<T> = Option<(Range<usize>, T)>;
type Attr2 = (Option<Spanned<String>>, Option<Spanned<String>>);

#[derive(Default)]
struct PublisherParts {
    root: Found<Attr2>,
    from: Found<Attr2>,
    mapping: Option<(Range<usize>, Option<Spanned<String>>)>,
    to: Option<(Range<usize>, Option<Spanned<String>>)>,
    properties: Vec<Property>,
}

/// Read an event publisher file.
pub fn read_event_publisher(src: &str) -> Result<EventPublisher, XmlError> {
    let mut parts = PublisherParts::default();
    // (name, name span, encrypted, end of the start tag, text so far)
    let mut property: Option<(Spanned<String>, bool, usize, TextAcc)> = None;
    let mut in_to = false;
    // depth of the innermost open element + 1
    let mut level = 0;
    for event in Reader::new(src) {
        match event? {
            Event::Start {
                name,
                name_span,
                namespace,
                attrs,
                span,
                depth,
            } => {
                level = depth + 1;
                let ours = namespace.as_deref() == Some(EVENT_PUBLISHER_NS);
                let local = local_name(name);
                if depth == 0 {
                    if local != "eventPublisher" {
                        return Err(shape(
                            name_span,
                            format!("the root element is <{name}>, not <eventPublisher>"),
                        ));
                    }
                    let found = (attr(&attrs, "name"), attr(&attrs, "processing"));
                    parts.root = Some((name_span, found));
                } else if depth == 1 && ours {
                    in_to = false;
                    match local {
                        "from" if parts.from.is_none() => {
                            let (n, v) = (attr(&attrs, "streamName"), attr(&attrs, "version"));
                            parts.from = Some((name_span, (n, v)));
                        }
                        "mapping" if parts.mapping.is_none() => {
                            parts.mapping = Some((name_span, attr(&attrs, "type")));
                        }
                        "to" if parts.to.is_none() => {
                            in_to = true;
                            parts.to = Some((name_span, attr(&attrs, "eventAdapterType")));
                        }
                        _ => {}
                    }
                } else if depth == 2
                    && in_to
                    && ours
                    && local == "property"
                    && let Some(n) = attr(&attrs, "name")
                {
                    let enc = attrs
                        .iter()
                        .any(|a| a.name == "encrypted" && a.value == "true");
                    let acc = TextAcc {
                        value: String::new(),
                        span: None,
                    };
                    property = Some((n, enc, span.end, acc));
                }
            }
            Event::Text { value, span, .. } => {
                if let Some((_, _, _, acc)) = property.as_mut().filter(|_| level == 3) {
                    acc.push(&value, &span);
                }
            }
            Event::End { span, depth, .. } => {
                level = depth;
                if depth != 2 {
                    continue;
                }
                if let Some((n, encrypted, tag_end, acc)) = property.take() {
                    // an empty element `<property …/>` ends where its start tag does
                    let value_span = acc
                        .span
                        .unwrap_or(tag_end.min(span.end)..tag_end.min(span.end));
                    parts.properties.push(Property {
                        name: n.value,
                        value: acc.value,
                        name_span: n.span,
                        value_span,
                        encrypted,
                    });
                }
            }
        }
    }
    assemble(parts)
}

fn assemble(parts: PublisherParts) -> Result<EventPublisher, XmlError> {
    let Some((root, (name, processing))) = parts.root else {
        return Err(shape(0..0, "no <eventPublisher> element"));
    };
    let ns = format!(" (in namespace {EVENT_PUBLISHER_NS})");
    let Some((from_at, (stream, version))) = parts.from else {
        return Err(shape(
            root,
            format!("<from> is missing{ns}: WSO2 does not deploy this event publisher"),
        ));
    };
    let Some((mapping_at, mapping)) = parts.mapping else {
        return Err(shape(
            root,
            format!("<mapping> is missing{ns}: WSO2 does not deploy this event publisher"),
        ));
    };
    let Some((to_at, adapter)) = parts.to else {
        return Err(shape(
            root,
            format!("<to> is missing{ns}: WSO2 does not deploy this event publisher"),
        ));
    };
    let disabled = processing
        .as_ref()
        .is_some_and(|p| p.value.eq_ignore_ascii_case("disable"));
    Ok(EventPublisher {
        name: required(name, &root, "the `name` attribute")?,
        processing: if disabled {
            Processing::Disabled
        } else {
            Processing::Enabled
        },
        processing_span: processing.map(|p| p.span),
        stream_name: required(stream, &from_at, "`streamName` of <from>")?,
        stream_version: required(version, &from_at, "`version` of <from>")?,
        mapping_type: required(mapping, &mapping_at, "`type` of <mapping>")?,
        adapter_type: required(adapter, &to_at, "`eventAdapterType` of <to>")?,
        properties: parts.properties,
    })
}

/// Read a secondary user store file (`<UserStoreManager class="…">` with
/// `<Property name="DomainName">`). Namespaces are not checked: WSO2's files
/// have none.
pub fn read_user_store(src: &str) -> Result<UserStore, XmlError> {
    let mut root: Option<(Range<usize>, Option<Spanned<String>>)> = None;
    let mut domain: Option<Spanned<String>> = None;
    let mut secret_spans = Vec::new();
    // (property name, secret?, end of start tag, text)
    let mut property: Option<(String, bool, usize, TextAcc)> = None;
    let mut level = 0;
    for event in Reader::new(src) {
        match event? {
            Event::Start {
                name,
                name_span,
                attrs,
                span,
                depth,
                ..
            } => {
                level = depth + 1;
                if depth == 0 {
                    if local_name(name) != "UserStoreManager" {
                        return Err(shape(
                            name_span,
                            format!("the root element is <{name}>, not <UserStoreManager>"),
                        ));
                    }
                    root = Some((name_span, attr(&attrs, "class")));
                } else if depth == 1
                    && local_name(name) == "Property"
                    && let Some(n) = attr(&attrs, "name")
                {
                    let secret = n.value.to_ascii_lowercase().ends_with("password")
                        || attrs
                            .iter()
                            .any(|a| a.name == "encrypted" && a.value == "true");
                    let acc = TextAcc {
                        value: String::new(),
                        span: None,
                    };
                    property = Some((n.value, secret, span.end, acc));
                }
            }
            Event::Text { value, span, .. } => {
                if let Some((_, _, _, acc)) = property.as_mut().filter(|_| level == 2) {
                    acc.push(&value, &span);
                }
            }
            Event::End { depth, .. } => {
                level = depth;
                if depth != 1 {
                    continue;
                }
                if let Some((n, secret, tag_end, acc)) = property.take() {
                    let span = acc.span.unwrap_or(tag_end..tag_end);
                    if secret {
                        secret_spans.push(span.clone());
                    }
                    if n == "DomainName" && domain.is_none() {
                        domain = Some(Spanned {
                            value: acc.value,
                            span,
                        });
                    }
                }
            }
        }
    }
    let Some((root, class)) = root else {
        return Err(shape(0..0, "no <UserStoreManager> element"));
    };
    let domain_name = domain.ok_or_else(|| {
        shape(
            root,
            "no <Property name=\"DomainName\">: WSO2 does not deploy a secondary user store without a domain",
        )
    })?;
    Ok(UserStore {
        class,
        domain_name,
        secret_spans,
    })
}
