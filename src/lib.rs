//! xinfang: document processing for Chinese letters-and-visits (信访) bureaus.
//!
//! # Steps
//!
//! Data flows one way through three flows (only the first exists so far):
//!
//! ```text
//! file -> ingest::decode -> ingest::clean -> ingest::ocr -> ingest::extract -> Extraction
//! case -> template -> neutral document -> DOCX | PDF            (planned: docgen)
//! year -> register query -> items -> bound volumes + catalogue  (planned: archive)
//! ```
//!
//! `model` holds the plain data every stage shares; `config` the one configuration with its
//! embedded defaults; `cli` turns commands into calls. Stages never open files on their own
//! beyond the input they are given, and `extract` stores nothing.

pub mod archive;
pub mod cli;
pub mod config;
pub mod deadline;
pub mod ingest;
pub mod intake;
pub mod model;
pub mod privacy;
pub mod registry;
pub mod routing;
pub mod server;
