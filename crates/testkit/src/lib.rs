//! What the CLI's live range test, the examples and the tests share: the
//! bundled digits data (`digits`), its classifier (`model`), and the macro
//! that gives a model burn-train's training and validation steps (`steps!`).
//! Not published: a user brings their own data and model.

pub mod digits;
pub mod model;
mod steps;
