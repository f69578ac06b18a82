//! The part of Ferry's C ABI (ferry/plugin.h, version 1.3) this sink uses,
//! declared by hand: every struct is #[repr(C)] with the header's field
//! order, so the layouts match on every platform the header supports.
#![allow(dead_code)]

use std::os::raw::{c_char, c_void};

pub type FerryStatus = i32;
pub const FERRY_OK: FerryStatus = 0;
pub const FERRY_NOT_IMPLEMENTED: FerryStatus = 4;
pub const FERRY_ERROR_CONFIG: FerryStatus = 10;
pub const FERRY_ERROR_IO: FerryStatus = 11;

pub const fn abi_version(major: u32, minor: u32) -> u32 {
    (major << 16) | minor
}
pub const FERRY_ABI_VERSION_1_1: u32 = abi_version(1, 1);
pub const FERRY_ABI_VERSION_1_2: u32 = abi_version(1, 2);
pub const FERRY_ABI_VERSION_1_3: u32 = abi_version(1, 3);
pub const FERRY_ABI_VERSION_CURRENT: u32 = FERRY_ABI_VERSION_1_3;

pub type FerryType = i32;
pub const FERRY_TYPE_NULL: FerryType = 0;
pub const FERRY_TYPE_BOOL: FerryType = 1;
pub const FERRY_TYPE_INT64: FerryType = 2;
pub const FERRY_TYPE_DOUBLE: FerryType = 3;
pub const FERRY_TYPE_TIMESTAMP: FerryType = 6;

pub const FERRY_KIND_SINK: u32 = 4;
pub const FERRY_OPTION_STRING: i32 = 1;
pub const FERRY_OPTION_REQUIRED: u32 = 1;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct FerryBytes {
    pub data: *const c_char,
    pub size: usize,
}

impl FerryBytes {
    /// The bytes, borrowed for as long as the host keeps them valid.
    pub unsafe fn as_slice<'a>(&self) -> &'a [u8] {
        if self.data.is_null() || self.size == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(self.data as *const u8, self.size)
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union FerryValueData {
    pub boolean: i32,
    pub i64: i64,
    pub f64: f64,
    pub bytes: FerryBytes,
}

#[repr(C)]
pub struct FerryValue {
    pub type_: FerryType,
    pub reserved: u32,
    pub as_: FerryValueData,
}

#[repr(C)]
pub struct FerryField {
    pub name: FerryBytes,
    pub type_: FerryType,
    pub flags: u32,
}

#[repr(C)]
pub struct FerrySchema {
    pub n_fields: usize,
    pub fields: *const FerryField,
}

#[repr(C)]
pub struct FerryRecordMeta {
    pub key: FerryBytes,
    pub position: FerryBytes,
    pub op: i32,
    pub reserved: u32,
}

#[repr(C)]
pub struct FerryBatch {
    pub struct_size: u32,
    pub reserved: u32,
    pub schema: FerrySchema,
    pub n_rows: usize,
    pub values: *const FerryValue,
    pub records: *const FerryRecordMeta,
    pub partition: FerryBytes,
    pub end_position: FerryBytes,
    pub release: Option<unsafe extern "C" fn(*mut FerryBatch)>,
    pub private_data: *mut c_void,
}

#[repr(C)]
pub struct FerryRecordOutcome {
    pub status: FerryStatus,
    pub reserved: u32,
    pub message: FerryBytes,
}

#[repr(C)]
pub struct FerryCheckpoint {
    pub struct_size: u32,
    pub reserved: u32,
    pub pipeline: FerryBytes,
    pub partition: FerryBytes,
    pub position: FerryBytes,
    pub run_id: FerryBytes,
}

#[repr(C)]
pub struct FerryHost {
    pub struct_size: u32,
    pub reserved: u32,
    pub host_data: *mut c_void,
    pub log: unsafe extern "C" fn(*mut c_void, i32, *const c_char, usize),
    pub set_error: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub set_retry_after: unsafe extern "C" fn(*mut c_void, u64),
    pub report_errant_record: unsafe extern "C" fn(*mut c_void, *const c_void) -> FerryStatus,
    pub is_cancelled: unsafe extern "C" fn(*mut c_void) -> i32,
    pub counter_add: unsafe extern "C" fn(*mut c_void, *const c_char, usize, i64),
}

#[repr(C)]
pub struct FerryOpenArgs {
    pub struct_size: u32,
    pub reserved: u32,
    pub host: *const FerryHost,
    pub config_json: FerryBytes,
    pub pipeline: FerryBytes,
    pub name: FerryBytes,
    pub run_id: FerryBytes,
    pub base_dir: FerryBytes,
    pub max_batch_records: u64,
    pub max_batch_bytes: u64,
    pub data_date: FerryBytes,
    pub window_start: FerryBytes,
    pub window_end: FerryBytes,
}

pub type FerryInstance = *mut c_void;

#[repr(C)]
pub struct FerrySinkApi {
    pub struct_size: u32,
    pub reserved: u32,
    pub open: unsafe extern "C" fn(*const FerryOpenArgs, *mut FerryInstance) -> FerryStatus,
    pub write: unsafe extern "C" fn(FerryInstance, *const FerryBatch, *mut FerryRecordOutcome) -> FerryStatus,
    pub commit: unsafe extern "C" fn(FerryInstance, *const FerryCheckpoint) -> FerryStatus,
    pub abort: unsafe extern "C" fn(FerryInstance) -> FerryStatus,
    pub checkpoint: unsafe extern "C" fn(FerryInstance, FerryBytes, *mut FerryBytes, *mut i32) -> FerryStatus,
    pub close: unsafe extern "C" fn(FerryInstance),
}

/// The table ferry_plugin_init fills: only as much of it as the offered
/// version defines (see `plugin_api_size`).
#[repr(C)]
pub struct FerryPluginApi {
    pub struct_size: u32,
    pub abi_version: u32,
    pub source: *const c_void,
    pub transform: *const c_void,
    pub sink: *const FerrySinkApi,
    pub checkpoint_hook: *const c_void,
    pub backlog_hook: *const c_void,
    pub orchestrator: *const c_void,                   // 1.2
    pub check_config: Option<unsafe extern "C" fn(u32, *const FerryOpenArgs) -> FerryStatus>, // 1.3
}

/// FERRY_PLUGIN_API_SIZE(v): how much of FerryPluginApi version `v` has.
pub fn plugin_api_size(version: u32) -> usize {
    let full = std::mem::size_of::<FerryPluginApi>();
    let pointer = std::mem::size_of::<*const c_void>();
    if version >= FERRY_ABI_VERSION_1_3 {
        full
    } else if version >= FERRY_ABI_VERSION_1_2 {
        full - pointer // without check_config
    } else {
        full - 2 * pointer // without orchestrator
    }
}

#[repr(C)]
pub struct FerryOptionSpec {
    pub name: *const c_char,
    pub type_: i32,
    pub flags: u32,
    pub default_json: *const c_char,
    pub description: *const c_char,
}

#[repr(C)]
pub struct FerryKindSpec {
    pub kind: u32,
    pub capabilities: u32,
    pub description: *const c_char,
    pub options: *const FerryOptionSpec,
    pub n_options: usize,
}

#[repr(C)]
pub struct FerryPluginDescriptor {
    pub struct_size: u32,
    pub abi_version: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub description: *const c_char,
    pub kinds: *const FerryKindSpec,
    pub n_kinds: usize,
}

// The descriptor and tables are immutable statics the host only reads.
unsafe impl Sync for FerryPluginDescriptor {}
unsafe impl Sync for FerryKindSpec {}
unsafe impl Sync for FerryOptionSpec {}
unsafe impl Sync for FerrySinkApi {}
