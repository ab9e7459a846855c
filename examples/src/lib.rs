//! The pieces the example trainings share: the bundled digits data, a small
//! classifier, and a per-epoch report read back from burn-train's logs.

pub mod arithmetic;
pub mod digits;
pub mod model;
pub mod renderer;
pub mod report;
pub mod run;
