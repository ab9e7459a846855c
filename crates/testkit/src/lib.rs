//! What the CLI's live range test, the examples and the tests share: the
//! bundled digits data (`digits`), its classifier (`model`), and the macro
//! that gives a model burn-train's training and validation steps (`steps!`),
//! and the tests' shared checks (`close`, `failures`, `pytorch_spelling`).
//! Not published: a user brings their own data and model.

mod check;
pub mod digits;
pub mod model;
mod steps;

pub use check::{close, failures, pytorch_spelling};
