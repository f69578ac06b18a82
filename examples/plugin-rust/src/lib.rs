//! rust-tsv: a Ferry sink written in Rust with no crates. It appends each
//! committed row to a file as tab-separated text, with a header line
//! naming the fields; tabs, newlines and backslashes in values are escaped
//! (\t, \n, \\) and null is \N.
//!
//! Everything a plugin needs is here: the descriptor, negotiation that
//! never writes past the table the host offers, a sink table with staged
//! rows, errors reported through the host, and no panic across the ABI
//! (the release profile aborts on panic, and no call can panic on the
//! host's input).

mod abi;
mod config;

use abi::*;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::raw::c_char;
use std::path::PathBuf;

struct TsvSink {
    host: *const FerryHost,
    file: File,
    wrote_header: bool,
    staged: Vec<u8>,
}

unsafe fn fail(host: *const FerryHost, status: FerryStatus, message: &str) -> FerryStatus {
    ((*host).set_error)((*host).host_data, message.as_ptr() as *const c_char, message.len());
    status
}

fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            _ => out.push(b),
        }
    }
}

unsafe fn push_value(out: &mut Vec<u8>, v: &FerryValue) {
    match v.type_ {
        FERRY_TYPE_NULL => out.extend_from_slice(b"\\N"),
        FERRY_TYPE_BOOL => out.extend_from_slice(if v.as_.boolean != 0 { b"true" } else { b"false" }),
        FERRY_TYPE_INT64 | FERRY_TYPE_TIMESTAMP => out.extend_from_slice(v.as_.i64.to_string().as_bytes()),
        // Rust prints the shortest text that reads back as the same double.
        FERRY_TYPE_DOUBLE => out.extend_from_slice(v.as_.f64.to_string().as_bytes()),
        _ => push_escaped(out, v.as_.bytes.as_slice()),
    }
}

unsafe extern "C" fn sink_open(args: *const FerryOpenArgs, out: *mut FerryInstance) -> FerryStatus {
    let a = &*args;
    let path = match config::string_member(a.config_json.as_slice(), "path") {
        Some(p) => p,
        None => return fail(a.host, FERRY_ERROR_CONFIG, "rust-tsv: option 'path' must be a string"),
    };
    let mut full = PathBuf::from(String::from_utf8_lossy(a.base_dir.as_slice()).into_owned());
    full.push(&path); // an absolute `path` replaces the base
    let file = match OpenOptions::new().create(true).append(true).open(&full) {
        Ok(f) => f,
        Err(e) => return fail(a.host, FERRY_ERROR_IO, &format!("rust-tsv: cannot open {}: {}", full.display(), e)),
    };
    let wrote_header = file.metadata().map(|m| m.len() > 0).unwrap_or(false);
    let sink = Box::new(TsvSink { host: a.host, file, wrote_header, staged: Vec::new() });
    *out = Box::into_raw(sink) as FerryInstance;
    FERRY_OK
}

unsafe extern "C" fn sink_write(self_: FerryInstance, batch: *const FerryBatch, _outcomes: *mut FerryRecordOutcome) -> FerryStatus {
    let s = &mut *(self_ as *mut TsvSink);
    let b = &*batch;
    let n_fields = b.schema.n_fields;
    if !s.wrote_header && b.n_rows > 0 {
        for f in 0..n_fields {
            if f > 0 {
                s.staged.push(b'\t');
            }
            push_escaped(&mut s.staged, (*b.schema.fields.add(f)).name.as_slice());
        }
        s.staged.push(b'\n');
        s.wrote_header = true;
    }
    for r in 0..b.n_rows {
        for f in 0..n_fields {
            if f > 0 {
                s.staged.push(b'\t');
            }
            push_value(&mut s.staged, &*b.values.add(r * n_fields + f));
        }
        s.staged.push(b'\n');
    }
    FERRY_OK
}

unsafe extern "C" fn sink_commit(self_: FerryInstance, _checkpoint: *const FerryCheckpoint) -> FerryStatus {
    let s = &mut *(self_ as *mut TsvSink);
    let written = s.file.write_all(&s.staged).and_then(|_| s.file.sync_data());
    if let Err(e) = written {
        return fail(s.host, FERRY_ERROR_IO, &format!("rust-tsv: cannot write the output file: {}", e));
    }
    s.staged.clear();
    FERRY_OK
}

unsafe extern "C" fn sink_abort(self_: FerryInstance) -> FerryStatus {
    let s = &mut *(self_ as *mut TsvSink);
    s.staged.clear();
    // The header of an aborted first batch was staged too.
    s.wrote_header = s.file.metadata().map(|m| m.len() > 0).unwrap_or(false);
    FERRY_OK
}

unsafe extern "C" fn sink_checkpoint(_self: FerryInstance, _partition: FerryBytes, position: *mut FerryBytes, found: *mut i32) -> FerryStatus {
    // Not transactional: the host keeps the checkpoint.
    *position = FerryBytes { data: std::ptr::null(), size: 0 };
    *found = 0;
    FERRY_OK
}

unsafe extern "C" fn sink_close(self_: FerryInstance) {
    drop(Box::from_raw(self_ as *mut TsvSink));
}

static SINK: FerrySinkApi = FerrySinkApi {
    struct_size: std::mem::size_of::<FerrySinkApi>() as u32,
    reserved: 0,
    open: sink_open,
    write: sink_write,
    commit: sink_commit,
    abort: sink_abort,
    checkpoint: sink_checkpoint,
    close: sink_close,
};

static OPTIONS: [FerryOptionSpec; 1] = [FerryOptionSpec {
    name: b"path\0".as_ptr() as *const c_char,
    type_: FERRY_OPTION_STRING,
    flags: FERRY_OPTION_REQUIRED,
    default_json: std::ptr::null(),
    description: b"Output file, relative to the pipeline's directory; rows are appended.\0".as_ptr() as *const c_char,
}];

static KINDS: [FerryKindSpec; 1] = [FerryKindSpec {
    kind: FERRY_KIND_SINK,
    capabilities: 0,
    description: b"Appends rows as tab-separated text (written in Rust).\0".as_ptr() as *const c_char,
    options: &OPTIONS as *const FerryOptionSpec,
    n_options: 1,
}];

#[no_mangle]
pub static ferry_plugin_descriptor: FerryPluginDescriptor = FerryPluginDescriptor {
    struct_size: std::mem::size_of::<FerryPluginDescriptor>() as u32,
    abi_version: FERRY_ABI_VERSION_CURRENT,
    name: b"rust-tsv\0".as_ptr() as *const c_char,
    version: b"1.0.0\0".as_ptr() as *const c_char,
    description: b"Example sink written in Rust against Ferry's C ABI\0".as_ptr() as *const c_char,
    kinds: &KINDS as *const FerryKindSpec,
    n_kinds: 1,
};

/// Accepts the offer (or the newest version this plugin knows), clears
/// exactly the table that version defines and fills it.
#[no_mangle]
pub unsafe extern "C" fn ferry_plugin_init(offered: u32, api: *mut FerryPluginApi) -> FerryStatus {
    if offered >> 16 != FERRY_ABI_VERSION_CURRENT >> 16 {
        return FERRY_NOT_IMPLEMENTED;
    }
    let version = offered.min(FERRY_ABI_VERSION_CURRENT);
    let size = plugin_api_size(version);
    std::ptr::write_bytes(api as *mut u8, 0, size);
    (*api).struct_size = size as u32;
    (*api).abi_version = version;
    (*api).sink = &SINK;
    FERRY_OK
}
