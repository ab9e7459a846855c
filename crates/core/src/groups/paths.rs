//! The parameter paths of a burn module, as burn's optimizer sees them.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::Tensor;

#[derive(Default)]
struct Paths {
    stack: Vec<String>,
    found: Vec<String>,
}

impl ModuleVisitor for Paths {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.pop();
    }

    fn visit_float<const D: usize>(&mut self, _param: &Param<Tensor<D>>) {
        self.found.push(self.stack.join("."));
    }
}

/// Every float parameter's path (`backbone.conv1.weight`), in module order.
pub(crate) fn parameter_paths<M: Module>(module: &M) -> Vec<String> {
    let mut paths = Paths::default();
    module.visit(&mut paths);
    paths.found
}

/// The distinct first segments of `paths`, quoted, for error messages.
pub(crate) fn top_level(paths: &[String]) -> String {
    let mut heads: Vec<&str> = paths
        .iter()
        .map(|p| p.split('.').next().unwrap_or(p))
        .collect();
    heads.dedup();
    crate::spec::params::quoted(heads)
}
