//! The one error type of the domain crate. Every message is written for a
//! technician: it names the file, key or place and says what to do.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file could not be read at all.
    #[error(
        "cannot read the configuration file {path}: {source}; check the path and its permissions"
    )]
    ConfigRead {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A configuration file was read but a key in it is wrong.
    #[error("{path}: {key}: {message}")]
    Config {
        path: PathBuf,
        /// Dotted key, e.g. `captive.auth`, or `line 3` for a syntax error.
        key: String,
        message: String,
    },

    /// A catalog bundle was refused; nothing was installed.
    #[error("catalog refused, nothing was changed: {0}")]
    CatalogRefused(#[from] crate::catalog::Refusal),

    /// The database could not be opened, read or written. Made in one
    /// place, `store::error`, for every SQLite error of the crate.
    #[error("database {path}: {source}")]
    Store {
        path: PathBuf,
        source: rusqlite::Error,
    },

    /// The database's schema could not be brought up to date.
    #[error("database {path}: {source}")]
    Migration {
        path: PathBuf,
        source: rusqlite_migration::Error,
    },

    /// The installed catalog in the database no longer parses; only a bug or
    /// a hand-edited database gets here.
    #[error(
        "the catalog stored in {path} is damaged ({message}); import a catalog again with `anjungan catalog import FILE`"
    )]
    StoredCatalogDamaged { path: PathBuf, message: String },

    /// The admin API's token file is there but cannot be used.
    #[error("the admin token {path}: {problem}")]
    AdminToken { path: PathBuf, problem: String },

    /// A password that is refused or cannot be hashed (`password`); the
    /// caller's module says whose.
    #[error("{0}")]
    Password(String),

    /// The dashboard password cannot be set or checked.
    #[error("admin password: {0}")]
    AdminPassword(String),

    /// A catalog signing key (`anjungan catalog keygen|sign`) that cannot
    /// be made or used.
    #[error("the key {path}: {problem}")]
    Key { path: PathBuf, problem: String },

    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    /// A document was asked for a service the installed catalog lacks.
    #[error(
        "there is no service \"{id}\" in the catalog; find its id with `anjungan catalog search`"
    )]
    NoSuchService { id: String },

    /// A queue ticket was asked for a service that takes no queue numbers.
    #[error(
        "the service \"{id}\" takes no queue numbers (its catalog entry has no queue_prefix); print its receipt instead (`anjungan receipt --service {id}`), or give it a queue_prefix in the catalog bundle and import it again"
    )]
    NoQueue { id: String },

    /// Staff named a queue prefix that no service of the catalog numbers in.
    #[error(
        "no service of the catalog takes queue numbers with the prefix \"{prefix}\"; the prefixes are: {known}"
    )]
    NoSuchQueuePrefix { prefix: String, known: String },

    /// Staff named a counter outside the numbers counters have.
    #[error("there is no counter {counter}; counters are numbered 1 to 99")]
    QueueCounter { counter: u8 },

    /// A survey form that cannot be recorded.
    #[error("survey answer refused: {0}")]
    Survey(#[from] crate::voice::survey::Invalid),

    /// A complaint (or a status note) that cannot be taken.
    #[error("complaint refused: {0}")]
    Complaint(#[from] crate::voice::complaint::Invalid),

    /// No complaint has that reference.
    #[error(
        "there is no complaint {reference}; check the reference, or see them all with `anjungan complaint list`"
    )]
    NoSuchComplaint { reference: String },

    /// A paper survey file was refused whole; nothing was imported.
    #[error(
        "{file}: line {line}, column {column}: {message}; nothing was imported, correct the file and import it again"
    )]
    SurveyFileRefused {
        file: String,
        line: u64,
        column: String,
        message: String,
    },

    /// The same paper survey file was imported before.
    #[error(
        "{file} was already imported on {at} ({rows} answers); to count it again on purpose, add --again"
    )]
    SurveyFileImported { file: String, at: String, rows: i64 },
}
