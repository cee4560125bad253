//! Shared helpers for the end-to-end tests: the fault-injecting proxy that stands between the
//! function's DynamoDB store and moto.

pub mod fault_proxy;
