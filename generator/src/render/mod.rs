//! Turning the checked model into what residents get: pages, feeds, downloads, QR codes.

pub mod qr;
