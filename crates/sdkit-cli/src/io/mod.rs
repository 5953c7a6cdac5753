//! File handling: bounded reads that refuse what is not a regular file, and atomic writes
//! that never leave a partial file and never overwrite without being told to. One module per
//! idea; everything is re-exported here, so callers name `crate::io::x`.

mod probe;
mod read;
mod record;
mod temps;
mod write;

pub use probe::{
    ensure_dir, probe_output_dir, probe_output_file, refuse_existing, refuse_input_as_output,
};
pub use read::{
    MAX_KEY_BYTES, MAX_PASSPHRASE_BYTES, read_bounded, read_each_bounded, read_passphrase_source,
    read_secret, read_secrets,
};
pub use record::{FileRecord, record_details, record_files, take_details, take_file_records};
pub use temps::clean_up_on_interrupt;
pub use write::{OutFile, append_log_atomic, clear_reserved_logs, reserve_log, write_all_atomic};
