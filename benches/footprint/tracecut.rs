//! Cuts QEMU's execution log into the measured calls of a footprint image: a host tool, built
//! by `trace.sh` with `rustc -O` (the standard library only), because a Python reader of the
//! log keeps up with about 6 M guest instructions a second and this one with what QEMU writes.
//!
//! Reads the log of `-d in_asm,exec,nochain` on stdin: every translation block's instructions
//! once (an `IN:` block, printed just before the block first runs) and one `Trace` line each
//! time a block runs (with chaining off, every block execution is logged). A segment starts
//! when the block at `--start` (the harness's `call`) runs and ends when the block at `--end`
//! (`call_returned`, right after it) runs. For each segment it writes `segment-N.pcs` (the
//! guest addresses of the blocks it executed, u32 little-endian) into `--out`, and
//! `trace.json`: per segment the blocks, instructions, the UDIV/SDIV it executed (address,
//! text, symbol, times), the exception handlers that ran inside it, the blocks `-icount` cut
//! short, the instructions per symbol; and the symbol QEMU names for every block address.
//!
//! A block QEMU logged but did not run (`Stopped execution of TB chain before` it: the
//! instruction budget ran out at its start, every 65,535 instructions or so) is taken back.
//!
//! `--exclude FILE` (lines `START END`, hex, END exclusive) leaves out of the sequences the
//! blocks that start in those ranges (the test harness's heap and storage backend, which
//! `ct.py ranges` finds by symbol); their instructions are counted apart (`excluded`).
//!
//! Usage: tracecut --start HEX --end HEX --out DIR [--exclude FILE] < log

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, BufRead, BufWriter, Write};

/// Exception handlers (cortex-m-rt's names): one inside a segment means an interrupt or a
/// fault ran there, whose blocks are not the measured code's.
const HANDLERS: &[&str] = &[
    "SysTick",
    "DefaultHandler",
    "HardFault",
    "NonMaskableInt",
    "MemoryManagement",
    "BusFault",
    "UsageFault",
    "SVCall",
    "PendSV",
];
/// QEMU's TB cflags: the low bits hold a block's instruction limit when -icount cut it short.
const CF_COUNT_MASK: u32 = 0x1ff;

/// A UDIV or SDIV of a block: its address, its text, the symbol of its block.
type Division = (u32, String, String);

#[derive(Default)]
struct Block {
    insns: u64,
    divisions: Vec<usize>,
}

#[derive(Default)]
struct Segment {
    pcs: Vec<u32>,
    insns: u64,
    divisions: BTreeMap<usize, u64>,
    handlers: BTreeMap<String, u64>,
    cut: u64,
    excluded: u64,
    symbols: HashMap<String, u64>,
}

/// What the last `Trace` line did, to take it back when QEMU says the block did not run.
enum Last {
    Start(Vec<u8>),
    End(Vec<u8>),
    Block {
        host: Vec<u8>,
        insns: u64,
        symbol: String,
        divisions: Vec<usize>,
        handler: Option<String>,
        cut: bool,
    },
    Excluded(Vec<u8>, u64),
}

fn hex(text: &[u8]) -> Option<u32> {
    u32::from_str_radix(std::str::from_utf8(text).ok()?, 16).ok()
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn main() -> io::Result<()> {
    let mut start = None;
    let mut end = None;
    let mut out = None;
    let mut exclude: Vec<(u32, u32)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--start", Some(v)) => start = u32::from_str_radix(&v, 16).ok(),
            ("--end", Some(v)) => end = u32::from_str_radix(&v, 16).ok(),
            ("--out", Some(v)) => out = Some(v),
            ("--exclude", Some(v)) => {
                for line in fs::read_to_string(&v)?.lines() {
                    let mut words = line.split_whitespace();
                    if let (Some(a), Some(b)) = (words.next(), words.next()) {
                        if let (Ok(a), Ok(b)) =
                            (u32::from_str_radix(a, 16), u32::from_str_radix(b, 16))
                        {
                            exclude.push((a, b));
                        }
                    }
                }
            }
            _ => {
                eprintln!("usage: tracecut --start HEX --end HEX --out DIR [--exclude FILE] < log");
                std::process::exit(2);
            }
        }
    }
    let (Some(start), Some(end), Some(out)) = (start, end, out) else {
        eprintln!("usage: tracecut --start HEX --end HEX --out DIR [--exclude FILE] < log");
        std::process::exit(2);
    };

    let mut blocks: HashMap<Vec<u8>, Block> = HashMap::new();
    let mut divisions: Vec<Division> = Vec::new();
    let mut division_index: HashMap<Division, usize> = HashMap::new();
    let mut symbols: BTreeMap<u32, String> = BTreeMap::new();
    let mut segments: Vec<Segment> = Vec::new();
    let mut inside = false;
    let mut pending: Option<Block> = None;
    let mut in_block = false;
    let mut block_symbol = String::new();
    let mut last: Option<Last> = None;

    let stdin = io::stdin();
    let mut reader = stdin.lock();
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            line.pop();
        }
        if line.starts_with(b"Trace ") {
            in_block = false;
            // "Trace 0: 0x7fd560000100 [00000000/00000400/00000110/ff020200] symbol"
            let mut parts = line.splitn(5, |&b| b == b' ');
            let (_, _, Some(host), Some(flags)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let symbol = parts.next().unwrap_or(b"");
            if let Some(block) = pending.take() {
                blocks.insert(host.to_vec(), block);
            }
            last = None;
            let (Some(pc), Some(cflags)) = (
                flags.get(10..18).and_then(hex),
                flags.get(28..36).and_then(hex),
            ) else {
                continue;
            };
            if pc == start {
                segments.push(Segment::default());
                inside = true;
                last = Some(Last::Start(host.to_vec()));
                continue;
            }
            if !inside {
                continue;
            }
            if pc == end {
                inside = false;
                last = Some(Last::End(host.to_vec()));
                continue;
            }
            let symbol = String::from_utf8_lossy(symbol).trim().to_string();
            let (insns, executed) = blocks
                .get(host)
                .map(|b| (b.insns, b.divisions.clone()))
                .unwrap_or_default();
            let Some(seg) = segments.last_mut() else {
                continue;
            };
            if exclude.iter().any(|&(a, b)| (a..b).contains(&pc)) {
                seg.excluded += insns;
                last = Some(Last::Excluded(host.to_vec(), insns));
                continue;
            }
            seg.pcs.push(pc);
            seg.insns += insns;
            *seg.symbols.entry(symbol.clone()).or_default() += insns;
            symbols.entry(pc).or_insert_with(|| symbol.clone());
            for &d in &executed {
                *seg.divisions.entry(d).or_default() += 1;
            }
            let handler = HANDLERS
                .iter()
                .any(|h| symbol.contains(h))
                .then(|| symbol.clone());
            if let Some(h) = &handler {
                *seg.handlers.entry(h.clone()).or_default() += 1;
            }
            let cut = cflags & CF_COUNT_MASK != 0;
            seg.cut += u64::from(cut);
            last = Some(Last::Block {
                host: host.to_vec(),
                insns,
                symbol,
                divisions: executed,
                handler,
                cut,
            });
        } else if line.starts_with(b"Stopped execution") {
            // "Stopped execution of TB chain before <host> [pc] symbol": the block logged
            // last did not run (-icount's budget ran out at its start); it runs again next.
            let host = line.split(|&b| b == b' ').nth(6).unwrap_or(b"");
            let matches = match &last {
                Some(Last::Start(h))
                | Some(Last::End(h))
                | Some(Last::Excluded(h, _))
                | Some(Last::Block { host: h, .. }) => h.as_slice() == host,
                None => false,
            };
            if !matches {
                continue;
            }
            match last.take() {
                Some(Last::Start(_)) => {
                    segments.pop();
                    inside = false;
                }
                Some(Last::End(_)) => inside = true,
                Some(Last::Excluded(_, insns)) => {
                    if let Some(seg) = segments.last_mut() {
                        seg.excluded -= insns;
                    }
                }
                Some(Last::Block {
                    insns,
                    symbol,
                    divisions: executed,
                    handler,
                    cut,
                    ..
                }) => {
                    if let Some(seg) = segments.last_mut() {
                        seg.pcs.pop();
                        seg.insns -= insns;
                        *seg.symbols.entry(symbol).or_default() -= insns;
                        for d in executed {
                            *seg.divisions.entry(d).or_default() -= 1;
                        }
                        if let Some(h) = handler {
                            let n = seg.handlers.entry(h.clone()).or_default();
                            *n -= 1;
                            if *n == 0 {
                                seg.handlers.remove(&h);
                            }
                        }
                        seg.cut -= u64::from(cut);
                    }
                }
                None => {}
            }
        } else if let Some(rest) = line.strip_prefix(b"IN:") {
            in_block = true;
            pending = Some(Block::default());
            block_symbol = String::from_utf8_lossy(rest).trim().to_string();
        } else if in_block && line.starts_with(b"0x") {
            let Some(block) = pending.as_mut() else {
                continue;
            };
            block.insns += 1;
            // "0x000005a6:  fbbe f3f5  udiv     r3, lr, r5"
            let text = String::from_utf8_lossy(&line);
            let mut words = text.split_whitespace();
            let address = words
                .next()
                .and_then(|a| a.strip_prefix("0x"))
                .and_then(|a| u32::from_str_radix(a.trim_end_matches(':'), 16).ok());
            let rest: Vec<&str> = words
                .skip_while(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_hexdigit()))
                .collect();
            let is_division = rest
                .first()
                .is_some_and(|m| m.starts_with("udiv") || m.starts_with("sdiv"));
            if let (Some(address), true) = (address, is_division) {
                let key = (address, rest.join(" "), block_symbol.clone());
                let next = divisions.len();
                let index = *division_index.entry(key.clone()).or_insert(next);
                if index == next {
                    divisions.push(key);
                }
                block.divisions.push(index);
            }
        }
    }

    fs::create_dir_all(&out)?;
    let mut json = String::from("{\"segments\": [");
    for (i, seg) in segments.iter().enumerate() {
        let mut file = BufWriter::new(fs::File::create(format!("{out}/segment-{i}.pcs"))?);
        for pc in &seg.pcs {
            file.write_all(&pc.to_le_bytes())?;
        }
        file.flush()?;
        if i > 0 {
            json.push_str(", ");
        }
        json.push_str(&format!(
            "{{\"blocks\": {}, \"insns\": {}, \"excluded\": {}, \"cut\": {}, \"divisions\": [",
            seg.pcs.len(),
            seg.insns,
            seg.excluded,
            seg.cut
        ));
        let mut first = true;
        for (&d, &n) in &seg.divisions {
            if n == 0 {
                continue;
            }
            let (address, text, symbol) = &divisions[d];
            if !first {
                json.push_str(", ");
            }
            first = false;
            json.push_str(&format!("[{address}, "));
            json_string(&mut json, text);
            json.push_str(", ");
            json_string(&mut json, symbol);
            json.push_str(&format!(", {n}]"));
        }
        json.push_str("], \"handlers\": {");
        for (k, (h, n)) in seg.handlers.iter().enumerate() {
            if k > 0 {
                json.push_str(", ");
            }
            json_string(&mut json, h);
            json.push_str(&format!(": {n}"));
        }
        json.push_str("}, \"top\": [");
        let mut top: Vec<(&String, &u64)> = seg.symbols.iter().filter(|(_, &n)| n > 0).collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (k, (s, n)) in top.iter().take(8).enumerate() {
            if k > 0 {
                json.push_str(", ");
            }
            json.push('[');
            json_string(&mut json, s);
            json.push_str(&format!(", {n}]"));
        }
        json.push_str("]}");
    }
    json.push_str("], \"symbols\": {");
    for (k, (address, symbol)) in symbols.iter().enumerate() {
        if k > 0 {
            json.push_str(", ");
        }
        json.push_str(&format!("\"{address:08x}\": "));
        json_string(&mut json, symbol);
    }
    json.push_str("}}\n");
    fs::write(format!("{out}/trace.json"), json)
}
