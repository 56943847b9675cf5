//! Intake: one letter from file to registered case. The original is kept by its SHA-256,
//! the letter is read and its filing copy built (`archive::file_copy`), and the case is
//! registered with the next number, the copy stamped with that number, in one transaction
//! (`registry::Registry::register`). A file registered before is reported as such and not
//! read again. The command line, the web upload and the hot folder all come through here.

use crate::archive;
use crate::config::Config;
use crate::ingest::ocr::Recognizer;
use crate::ingest::{batch, ErrorCode, IngestError};
use crate::model::{FailedFile, Fields};
use crate::registry::{NewCase, Registration, Registry};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The outcome for one file: the `xinfang intake --json` line.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeReport {
    pub file: String,
    pub case_id: i64,
    pub registration_number: String,
    /// The number of the case this same file was registered as before, if it was.
    pub duplicate_of: Option<String>,
    /// The number of the petitioner's earlier case on the same kind of issue (重复件).
    pub repeat_of: Option<String>,
    /// The fields read (null for a duplicate, which is not read again).
    pub fields: Option<Fields>,
}

/// A letter read and its filing copy built, not yet registered.
pub enum Prepared {
    Read {
        name: String,
        sha256: String,
        filed: archive::Filed,
    },
    /// The same file is registered already.
    Known(IntakeReport),
}

/// The slow half of intake, safe to run on many threads: checks whether the file is known,
/// keeps the original, reads the letter and builds its filing copy.
pub fn prepare_path(
    path: &Path,
    data: &Path,
    config: &Config,
    engine: &mut dyn Recognizer,
) -> Result<Prepared, FailedFile> {
    let name = path.display().to_string();
    guarded(&name, || {
        let bytes = batch::read_input(path, config.limits.max_file_bytes)?;
        prepare_bytes(&name, &bytes, data, config, engine)
    })
}

/// `prepare_path` for bytes in memory.
pub fn prepare_bytes(
    name: &str,
    bytes: &[u8],
    data: &Path,
    config: &Config,
    engine: &mut dyn Recognizer,
) -> Result<Prepared, IngestError> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let registry = open(data, config)?;
    if let Some(existing) = registry.find_by_sha(&sha256).map_err(storage)? {
        return Ok(Prepared::Known(duplicate(name, existing)));
    }
    let filed = archive::file_copy(
        name,
        bytes.to_vec().into(),
        config,
        engine,
        &archive::Options {
            previews: true,
            ..Default::default()
        },
    )?;
    // Kept once it is known to be a letter (a broken file stays where it was given).
    let dirs = crate::store::DataDirs::new(data);
    dirs.store_original(&sha256, bytes).map_err(stored)?;
    dirs.store_previews(&sha256, &filed.previews).map_err(stored)?;
    Ok(Prepared::Read {
        name: name.to_string(),
        sha256,
        filed,
    })
}

/// How a matter came, when not as a scanned letter (`reception`).
#[derive(Debug, Clone)]
pub struct Origin {
    pub channel: crate::domain::Channel,
    pub from_above: Option<crate::registry::FromAbove>,
    /// A review or re-review request: the case it is about, which, and when it is decided.
    pub review: Option<(i64, crate::domain::review::Level, chrono::NaiveDate)>,
    /// Accusation material whatever its text says (a review request about an accusation
    /// carries the accuser's identity: it is guarded as the first case is).
    pub accusation: bool,
    /// Bodies accused, carried over (a review request keeps the first case's list).
    pub accused: Vec<String>,
    /// The other system's id of an online petition (unique in the register).
    pub external_id: Option<String>,
}

impl Default for Origin {
    fn default() -> Self {
        Origin {
            channel: crate::domain::Channel::Letter,
            from_above: None,
            review: None,
            accusation: false,
            accused: Vec::new(),
            external_id: None,
        }
    }
}

/// The quick half: registers a prepared letter with the next number (one transaction).
/// Run in input order, it numbers a batch in the order the files were given.
pub fn register(
    prepared: Prepared,
    data: &Path,
    config: &Config,
    actor: &str,
) -> Result<IntakeReport, IngestError> {
    register_from(prepared, data, config, actor, &Origin::default())
}

/// `register` for a matter that came by `origin`: a matter from above is due when they
/// want the report, if that is earlier than the routing limit.
pub fn register_from(
    prepared: Prepared,
    data: &Path,
    config: &Config,
    actor: &str,
    origin: &Origin,
) -> Result<IntakeReport, IngestError> {
    let (name, sha256, filed) = match prepared {
        Prepared::Known(report) => return Ok(report),
        Prepared::Read {
            name,
            sha256,
            filed,
        } => (name, sha256, filed),
    };
    let mut registry = open(data, config)?;
    let fields = &filed.extraction.fields;
    let limit = if fields.urgent {
        config.deadlines.route_urgent
    } else {
        config.deadlines.route
    };
    let ours = config.deadlines.due(chrono::Local::now().date_naive(), limit);
    let theirs = origin.from_above.as_ref().and_then(|f| f.report_due);
    let new = NewCase {
        sha256: &sha256,
        source_name: &name,
        extraction: &filed.extraction,
        // (A review request is due when its decision is: Arts. 35-36.)
        due: Some(match origin.review {
            Some((_, _, decide_by)) => decide_by,
            None => theirs.map_or(ours, |t| t.min(ours)),
        }),
        accusation: origin.accusation || crate::routing::is_accusation(&filed.extraction.text),
        channel: origin.channel,
        from_above: origin.from_above.clone(),
        review: origin.review.map(|(of, level, _)| (of, level)),
        accused: &origin.accused,
        external_id: origin.external_id.as_deref(),
    };
    let dirs = crate::store::DataDirs::new(data);
    let registration = crate::registry::register(&mut *registry, &dirs, &new, actor, |number| {
        archive::pdfa::set_registration(&filed.pdf, number).map_err(|e| e.to_string())
    })
    .map_err(storage)?;
    Ok(match registration {
        Registration::Duplicate(existing) => duplicate(&name, existing),
        Registration::New {
            case, repeat_of, ..
        } => IntakeReport {
            file: name,
            case_id: case.case_id,
            registration_number: case.registration_number,
            duplicate_of: None,
            repeat_of: repeat_of.map(|r| r.registration_number),
            fields: Some(filed.extraction.fields),
        },
    })
}

/// Takes in one letter's bytes, named `name` (as uploaded or found): both halves.
pub fn intake_bytes(
    name: &str,
    bytes: &[u8],
    data: &Path,
    config: &Config,
    engine: &mut dyn Recognizer,
    actor: &str,
) -> Result<IntakeReport, IngestError> {
    let prepared = prepare_bytes(name, bytes, data, config, engine)?;
    register(prepared, data, config, actor)
}

/// Runs `f`, turning an error or a panic into the `{"file","error"}` report.
pub fn guarded<T>(name: &str, f: impl FnOnce() -> Result<T, IngestError>) -> Result<T, FailedFile> {
    crate::ingest::guard::per_file(name, "intake", f)
}

fn open(data: &Path, config: &Config) -> Result<Registry, IngestError> {
    crate::registry::open(data, config.bureau.registration.clone()).map_err(storage)
}

fn storage(e: crate::registry::RegistryError) -> IngestError {
    IngestError::new(ErrorCode::Storage, e.to_string())
}

fn stored(e: String) -> IngestError {
    IngestError::new(ErrorCode::Storage, e)
}

fn duplicate(name: &str, existing: crate::registry::CaseRef) -> IntakeReport {
    IntakeReport {
        file: name.to_string(),
        case_id: existing.case_id,
        registration_number: existing.registration_number.clone(),
        duplicate_of: Some(existing.registration_number),
        repeat_of: None,
        fields: None,
    }
}
