//! Metadata XML through quick-xml: a small element tree for reading (any file, any field), the
//! writer of a flat metadata file, and `package.xml` in both directions.
//!
//! Invariants: reading never expands anything but XML's predefined and character references
//! (quick-xml knows no DTD entities, so no entity tricks); input is bounded in size and depth;
//! every error names the file's problem, never a panic. Writing escapes every value and gives the
//! same bytes for the same input (so that a re-export is a no-op).

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use super::spec::METADATA_NS;

/// The deepest nesting read (metadata files nest two or three levels).
const MAX_DEPTH: usize = 32;

/// One element: its local name, its text (references resolved) and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    /// The `xmlns` attribute, if any.
    pub namespace: Option<String>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    fn new(start: &BytesStart) -> Result<Self, String> {
        let name = start.local_name().as_ref().to_string();
        let namespace = match start.try_get_attribute("xmlns") {
            Ok(Some(a)) => Some(a.value.to_string()),
            Ok(None) => None,
            Err(e) => return Err(e.to_string()),
        };
        Ok(Element { name, namespace, ..Default::default() })
    }

    /// The leaf fields, in document order: `name -> text` (trimmed at both ends); a nested
    /// element's leaves as `parent.child`.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for c in &self.children {
            if c.children.is_empty() {
                out.push((c.name.clone(), c.text.trim().to_string()));
            } else {
                out.extend(c.fields().into_iter().map(|(k, v)| (format!("{}.{k}", c.name), v)));
            }
        }
        out
    }

    /// The text of the first child named `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.children.iter().find(|c| c.name == name).map(|c| c.text.trim())
    }
}

/// Parses a document into its root element. The error is a short description for the admin.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let pos = |r: &Reader<&[u8]>| r.buffer_position();
    loop {
        let event = reader.read_event().map_err(|e| format!("not well-formed XML at byte {}: {e}", pos(&reader)))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                stack.push(Element::new(&e)?);
            }
            Event::Empty(e) => attach(&mut stack, &mut root, Element::new(&e)?)?,
            Event::End(_) => {
                let done = stack.pop().ok_or("an end tag without a start tag")?;
                attach(&mut stack, &mut root, done)?;
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&r).ok_or_else(|| format!("unknown entity `&{};`", &*r))?.to_string(),
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(top) => top.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err("text outside the root element".into()),
    }
    Ok(())
}

/// Writes a flat metadata file: the declaration, `<ROOT xmlns=…>`, one element per field in
/// the given order (indented by four spaces, as Salesforce writes them), and a final newline.
pub fn write_flat(root: &str, fields: &[(&str, String)]) -> String {
    write_doc(root, |w| {
        for (name, value) in fields {
            w.create_element(*name).write_text_content(BytesText::new(value))?;
        }
        Ok(())
    })
}

/// One `<types>` entry of package.xml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageType {
    pub name: String,
    pub members: Vec<String>,
}

/// package.xml's content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    pub types: Vec<PackageType>,
    pub version: Option<String>,
}

/// Reads package.xml; fields other than `types` and `version` are ignored.
pub fn parse_package(text: &str) -> Result<Package, String> {
    let root = parse(text)?;
    if root.name != "Package" {
        return Err(format!("the root element is <{}>, not <Package>", root.name));
    }
    let mut pkg = Package { version: root.field("version").map(str::to_string), ..Default::default() };
    for t in root.children.iter().filter(|c| c.name == "types") {
        let name = t.field("name").ok_or("a <types> entry without <name>")?.to_string();
        let members = t.children.iter().filter(|c| c.name == "members").map(|c| c.text.trim().to_string()).collect();
        pkg.types.push(PackageType { name, members });
    }
    Ok(pkg)
}

/// Writes package.xml in Salesforce's layout: `<types>` with members then name, then version.
pub fn write_package(pkg: &Package) -> String {
    write_doc("Package", |w| {
        for t in &pkg.types {
            w.create_element("types").write_inner_content(|w| {
                for m in &t.members {
                    w.create_element("members").write_text_content(BytesText::new(m))?;
                }
                w.create_element("name").write_text_content(BytesText::new(&t.name))?;
                Ok(())
            })?;
        }
        if let Some(v) = &pkg.version {
            w.create_element("version").write_text_content(BytesText::new(v))?;
        }
        Ok(())
    })
}

fn write_doc(root: &str, body: impl FnOnce(&mut Writer<Vec<u8>>) -> std::io::Result<()>) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 4);
    let start = BytesStart::new(root).with_attributes([("xmlns", METADATA_NS)]);
    // Writing into a Vec cannot fail.
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|_| w.write_event(Event::Start(start)))
        .and_then(|_| body(&mut w))
        .and_then(|_| w.write_event(Event::End(BytesEnd::new(root))))
        .expect("writing XML into memory");
    let mut text = String::from_utf8(w.into_inner()).expect("quick-xml writes the UTF-8 it is given");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_files_round_trip_with_escapes_and_newlines() {
        let fields = [("label", "a & <b> \"c\"".to_string()), ("callbackUrl", "https://a.example/cb\nhttp://localhost:1/cb".to_string())];
        let text = write_flat("ExtlClntAppGlobalOauthSettings", &fields);
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ExtlClntAppGlobalOauthSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>"), "{text}");
        assert!(text.ends_with("</ExtlClntAppGlobalOauthSettings>\n"), "{text}");
        let root = parse(&text).unwrap();
        assert_eq!(root.namespace.as_deref(), Some(METADATA_NS));
        assert_eq!(root.field("label"), Some("a & <b> \"c\""));
        assert_eq!(root.field("callbackUrl"), Some("https://a.example/cb\nhttp://localhost:1/cb"));
    }

    #[test]
    fn reader_takes_nesting_cdata_char_refs_and_prefixes() {
        let text =
            "<?xml version=\"1.0\"?><!-- c --><md:X xmlns:md=\"ns\"><a>&#x41;&#66;&amp;<![CDATA[<c>]]></a><b><c>1</c></b><d/></md:X>";
        let root = parse(text).unwrap();
        assert_eq!(root.name, "X");
        assert_eq!(root.fields(), vec![("a".into(), "AB&<c>".into()), ("b.c".into(), "1".into()), ("d".into(), String::new())]);
    }

    #[test]
    fn reader_refuses_broken_and_hostile_documents() {
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        // each is refused for its own reason (an entity is never expanded, not even a declared one)
        for (bad, why) in [
            ("", "no root element"),
            ("<a>", "the document ends inside an element"),
            ("<a></b>", "not well-formed XML"),
            ("<a/><b/>", "more than one root element"),
            ("text<a/>", "text outside the root element"),
            ("<a>&xxe;</a>", "unknown entity `&xxe;`"),
            ("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "unknown entity `&x;`"),
            ("<a>&#0;</a>", "0x0 character is not permitted"),
            (deep.as_str(), "nested deeper than"),
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }

    #[test]
    fn package_round_trip() {
        let pkg = Package {
            types: vec![PackageType { name: "ExternalClientApplication".into(), members: vec!["mailfino".into()] }],
            version: Some("60.0".into()),
        };
        let text = write_package(&pkg);
        assert!(text.contains("    <types>\n        <members>mailfino</members>\n        <name>ExternalClientApplication</name>\n    </types>\n    <version>60.0</version>\n</Package>\n"), "{text}");
        assert_eq!(parse_package(&text).unwrap(), pkg);
        assert!(parse_package("<Other/>").is_err());
    }
}
