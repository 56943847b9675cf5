//! The bureau's vocabulary and the case life, with no storage and no I/O: statuses, roles,
//! routes, steps, purposes, channels and event kinds as enums with their stored codes and
//! Chinese labels in one place (`vocab`), the case life as a pure function (`life`), and
//! who may do what (`policy`). Every other module compares these enums, never strings;
//! the codes appear only where the register maps them to its columns.
//!
//! Sits below `registry` and `server`; imports only `deadline`, `bodies`, `routing` (the
//! accusation guard) and `idnum` (the ID check), all of lower layers (ARCHITECTURE.md).

pub mod life;
pub mod number;
pub mod policy;
pub mod review;
pub mod vocab;

pub use life::{decide, Action, CaseState, Corrections, Due, Refusal, Route, Rules, Transition, Why};
pub use policy::{may, Act};
pub use vocab::{Channel, EventKind, JobStatus, Purpose, Role, RouteKind, Satisfaction, Status, Step};
