//! The contract language as text: the grammar's parser, the syntax tree, diagnostics and the
//! formatter. Nothing here knows what a contract means; `contract::check` gives it meaning.
pub mod ast;
pub mod code;
pub mod diagnostic;
pub mod format;
pub mod syntax;
