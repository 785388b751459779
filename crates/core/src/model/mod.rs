//! The typed model the rules need: roles, and for each node the facts its
//! file states (with spans), WSO2's defaults applied where WSO2 applies one.

pub(crate) mod bridge;
mod database;
mod facts;
mod keymaterial;
mod keys;
mod placeholders;
mod read;
mod role;
mod urls;
mod wso2;

pub(crate) use database::*;
pub(crate) use facts::*;
pub(crate) use keymaterial::*;
pub(crate) use keys::*;
pub(crate) use placeholders::*;
pub use role::*;
pub(crate) use urls::*;
pub use wso2::*;

use std::ops::Range;

/// A value with the byte range of its literal in the node's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}
