//! SQLite's C API on a connection that sqlx opened (`lock_handle`), for the two paths where
//! sqlx's per-row cost dominates: the bulk loader's single-row inserts and the bulk reads of
//! the progress computation (see `fastread.rs`). sqlx's SQLite driver runs each statement on a
//! worker thread and hands every row to the async side separately; stepping a prepared
//! statement here runs in the calling thread with no hand-off.

use crate::{Result, StoreError};
use libsqlite3_sys as ffi;
use std::ffi::{CStr, CString, c_int};

pub(crate) fn message(db: *mut ffi::sqlite3) -> String {
    // SAFETY: db is an open connection; sqlite3_errmsg returns a NUL-terminated string it owns.
    unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }
        .to_string_lossy()
        .into_owned()
}

pub(crate) fn exec(db: *mut ffi::sqlite3, sql: &str) -> Result<()> {
    let sql = CString::new(sql).expect("no NUL in SQL");
    // SAFETY: db is open, sql is NUL-terminated; no callback.
    let rc = unsafe { ffi::sqlite3_exec(db, sql.as_ptr(), None, std::ptr::null_mut(), std::ptr::null_mut()) };
    if rc != ffi::SQLITE_OK {
        return Err(StoreError::Engine(message(db)));
    }
    Ok(())
}

/// A prepared statement, finalized when dropped. It must not outlive the handle lock it was
/// prepared under; callers keep both in one function.
pub(crate) struct Stmt {
    db: *mut ffi::sqlite3,
    st: *mut ffi::sqlite3_stmt,
}

/// One column of a row as SQLite holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

impl Stmt {
    pub(crate) fn prepare(db: *mut ffi::sqlite3, sql: &str) -> Result<Stmt> {
        let mut st = std::ptr::null_mut();
        // SAFETY: db is open; the length is given, so no NUL is needed.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db,
                sql.as_ptr().cast(),
                sql.len() as c_int,
                &mut st,
                std::ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(StoreError::Engine(message(db)));
        }
        Ok(Stmt { db, st })
    }

    pub(crate) fn text(&mut self, i: c_int, s: &str) {
        // SAFETY: st is a live statement; SQLITE_TRANSIENT makes SQLite copy the bytes.
        unsafe {
            ffi::sqlite3_bind_text(
                self.st,
                i,
                s.as_ptr().cast(),
                s.len() as c_int,
                ffi::SQLITE_TRANSIENT(),
            );
        }
    }

    pub(crate) fn opt_text(&mut self, i: c_int, s: Option<&str>) {
        match s {
            Some(s) => self.text(i, s),
            // SAFETY: st is a live statement.
            None => unsafe {
                ffi::sqlite3_bind_null(self.st, i);
            },
        }
    }

    pub(crate) fn opt_int(&mut self, i: c_int, n: Option<i64>) {
        // SAFETY: st is a live statement.
        unsafe {
            match n {
                Some(n) => ffi::sqlite3_bind_int64(self.st, i, n),
                None => ffi::sqlite3_bind_null(self.st, i),
            };
        }
    }

    /// The index of a named parameter such as `$1` (0 when the statement has none by that
    /// name): SQLite numbers `$N` parameters by first appearance, not by N.
    pub(crate) fn param_index(&self, name: &str) -> c_int {
        let name = CString::new(name).expect("no NUL in a parameter name");
        // SAFETY: st is a live statement, name is NUL-terminated.
        unsafe { ffi::sqlite3_bind_parameter_index(self.st, name.as_ptr()) }
    }

    /// Run the statement once and make it ready for the next row: the extended result code.
    pub(crate) fn step(&mut self) -> c_int {
        // SAFETY: st is a live statement with every parameter bound.
        unsafe {
            let rc = ffi::sqlite3_step(self.st);
            let ext = if rc == ffi::SQLITE_DONE {
                rc
            } else {
                ffi::sqlite3_extended_errcode(self.db)
            };
            ffi::sqlite3_reset(self.st);
            ext
        }
    }

    /// Every row the statement returns, each column as integer, text or NULL (a REAL is read as
    /// an integer, which no caller of this reads).
    pub(crate) fn all_rows(&mut self) -> Result<Vec<Vec<Cell>>> {
        let mut out = Vec::new();
        // SAFETY: st is a live statement with every parameter bound; column values are copied
        // out before the next step, as SQLite's lifetime rules ask.
        unsafe {
            let n = ffi::sqlite3_column_count(self.st);
            loop {
                match ffi::sqlite3_step(self.st) {
                    ffi::SQLITE_ROW => {
                        let mut row = Vec::with_capacity(n as usize);
                        for i in 0..n {
                            row.push(match ffi::sqlite3_column_type(self.st, i) {
                                ffi::SQLITE_NULL => Cell::Null,
                                ffi::SQLITE_INTEGER | ffi::SQLITE_FLOAT => {
                                    Cell::Int(ffi::sqlite3_column_int64(self.st, i))
                                }
                                _ => {
                                    let p = ffi::sqlite3_column_text(self.st, i);
                                    let len = ffi::sqlite3_column_bytes(self.st, i) as usize;
                                    let bytes = std::slice::from_raw_parts(p, len);
                                    Cell::Text(String::from_utf8_lossy(bytes).into_owned())
                                }
                            });
                        }
                        out.push(row);
                    }
                    ffi::SQLITE_DONE => break,
                    _ => {
                        let e = message(self.db);
                        ffi::sqlite3_reset(self.st);
                        return Err(StoreError::Engine(e));
                    }
                }
            }
            ffi::sqlite3_reset(self.st);
        }
        Ok(out)
    }
}

impl Drop for Stmt {
    fn drop(&mut self) {
        // SAFETY: st was prepared on db and is finalized once.
        unsafe {
            ffi::sqlite3_finalize(self.st);
        }
    }
}
