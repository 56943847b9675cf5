//! xinfang: document processing for Chinese letters-and-visits (信访) bureaus.
//!
//! # Steps
//!
//! Data flows one way:
//!
//! ```text
//! file -> ingest::decode -> ingest::clean -> ingest::ocr -> ingest::extract -> Extraction
//!                                   \-> page sink -> archive -> A4 PDF/A filing copy
//! file -> intake -> registry (original, number, copy, case: one transaction)
//! typed petition (visit, call, online, from above) -> reception -> record DOCX -> intake
//! HTTP -> server -> registry; server workers and hot folder -> intake
//! case + officer text -> documents::template -> model::Document -> PDF (typst) | DOCX -> registry
//! year -> registry -> binder (items, stamps, catalogue) -> volumes (lopdf + typst) + manifest
//! period -> registry (one row per case) -> stats (figures, 环比, 同比) -> page | CLI | API
//! ```
//!
//! `model` holds the plain data every stage shares; `config` the one configuration with its
//! embedded defaults; `cli` turns commands into calls. Stages never open files on their own
//! beyond the input they are given, and `extract` stores nothing.

pub mod archive;
pub mod binder;
pub mod bodies;
pub mod clock;
pub mod cli;
pub mod config;
pub mod deadline;
pub mod documents;
pub mod domain;
pub mod export;
pub mod fsutil;
pub mod guard;
pub mod idnum;
pub mod ingest;
pub mod intake;
pub mod model;
pub mod privacy;
pub mod reception;
pub mod regions;
pub mod registry;
pub mod routing;
pub mod server;
pub mod stats;
pub mod store;
pub mod synth;
