//! Fuzz target `tlv`: the BER-TLV reader over arbitrary bytes, and a writer round trip.

use openpgp_card_applet::tlv::{Reader, Writer};
use openpgp_card_applet::Error;

/// How deep [`tlv`] descends into constructed TLVs.
const TLV_MAX_DEPTH: usize = 8;

/// A TLV tree as [`tlv`] reads it: a constructed tag (bit 6 of the first byte) whose value is
/// a clean sequence of TLVs becomes a node with children, anything else a leaf.
#[derive(Debug, PartialEq, Eq)]
enum Node<'a> {
    Leaf(u16, &'a [u8]),
    Constructed(u16, Vec<Node<'a>>),
}

fn is_constructed(tag: u16) -> bool {
    let first = if tag > 0xFF {
        (tag >> 8) as u8
    } else {
        tag as u8
    };
    first & 0x20 != 0
}

/// Reads TLVs until the reader stops; returns the nodes and the bytes left over.
fn read_nodes(bytes: &[u8], depth: usize) -> (Vec<Node<'_>>, &[u8]) {
    let mut reader = Reader::new(bytes);
    let mut nodes = Vec::new();
    while let Some(tlv) = reader.tlv() {
        let node = if depth < TLV_MAX_DEPTH && is_constructed(tlv.tag) {
            match read_nodes(tlv.value, depth + 1) {
                (children, []) => Node::Constructed(tlv.tag, children),
                _ => Node::Leaf(tlv.tag, tlv.value),
            }
        } else {
            Node::Leaf(tlv.tag, tlv.value)
        };
        nodes.push(node);
    }
    let rest = reader.remaining();
    assert!(bytes.ends_with(rest), "remaining() is not a suffix");
    (nodes, rest)
}

fn write_nodes(nodes: &[Node<'_>], w: &mut Writer<'_>) -> Result<(), Error> {
    for node in nodes {
        match node {
            Node::Leaf(tag, value) => w.put(*tag, value)?,
            Node::Constructed(tag, children) => {
                let open = w.open(*tag)?;
                write_nodes(children, w)?;
                w.close(open)?;
            }
        }
    }
    Ok(())
}

/// Fuzz target `tlv`: the [`Reader`] is total over arbitrary bytes, and what it read survives a
/// [`Writer`] round trip: re-encoded (shortest lengths, nested templates through `open` and
/// `close`) it reads back as the same tree, takes no more bytes than the original, and is a
/// fixed point of a second round trip. A writer over too small a buffer fails cleanly.
pub fn tlv(data: &[u8]) {
    let (nodes, rest) = read_nodes(data, 0);
    let consumed = data.len() - rest.len();
    let first_tag = match nodes.first() {
        Some(Node::Leaf(tag, _) | Node::Constructed(tag, _)) => *tag,
        None => 0,
    };
    let found = openpgp_card_applet::tlv::find(data, first_tag);
    assert_eq!(
        found.is_ok(),
        rest.is_empty(),
        "find() and the reader disagree"
    );
    let mut reader = Reader::new(data);
    let _ = reader.expect(first_tag);
    let _ = reader.finish();

    let mut buf = vec![0u8; data.len() + 3 * TLV_MAX_DEPTH + 8];
    let mut w = Writer::new(&mut buf);
    write_nodes(&nodes, &mut w).expect("re-encoding what was read");
    let encoded = w.written().to_vec();
    assert!(
        encoded.len() <= consumed,
        "the canonical form is longer than the input"
    );
    let (again, left) = read_nodes(&encoded, 0);
    assert!(
        left.is_empty(),
        "the canonical form does not read completely"
    );
    assert_eq!(again, nodes, "round trip changed the TLVs");

    let mut buf2 = vec![0u8; encoded.len() + 3 * TLV_MAX_DEPTH + 8];
    let mut w2 = Writer::new(&mut buf2);
    write_nodes(&again, &mut w2).expect("re-encoding the canonical form");
    assert_eq!(
        w2.written(),
        &encoded[..],
        "the canonical form is not a fixed point"
    );

    // Too small a buffer: an error, never a panic.
    if !encoded.is_empty() {
        let mut small = vec![0u8; encoded.len() / 2];
        let mut w3 = Writer::new(&mut small);
        assert!(
            write_nodes(&nodes, &mut w3).is_err(),
            "wrote into half the room"
        );
    }
}
