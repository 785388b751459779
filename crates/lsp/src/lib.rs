//! placeholder
pub fn run_stdio() {}
