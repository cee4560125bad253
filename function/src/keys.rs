//! Everything derived from the secret key: query codes, the stored hashes, client keys.
//!
//! One HMAC-SHA256 key, with a distinct label per use so no value can stand in for another.
//! The query code is derived from the idempotency key, so a retried submission gets the same code
//! without the code ever being stored; only its HMAC is.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The HMAC key (`YDT_HMAC_KEY`). Debug output never shows it.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> SecretKey {
        SecretKey(bytes.into())
    }

    /// 32 fresh random bytes, hex-encoded, for a new local key file.
    pub fn random_hex() -> std::io::Result<String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|err| std::io::Error::other(err.to_string()))?;
        Ok(hex(&bytes))
    }

    fn mac(&self, label: &str, parts: &[&str]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(label.as_bytes());
        for part in parts {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }

    /// The resident's 16-digit query code for a submission's idempotency key.
    pub fn query_code(&self, idempotency_key: &str) -> String {
        let digest = self.mac("query-code", &[idempotency_key]);
        let n = u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"));
        format!("{:016}", n % 10_u128.pow(16))
    }

    /// What is stored instead of the query code.
    pub fn query_hash(&self, query_code: &str) -> String {
        hex(&self.mac("query-hash", &[query_code]))
    }

    /// Whether `query_code` matches a stored hash, in time independent of where they differ.
    pub(crate) fn query_code_matches(&self, query_code: &str, stored_hash: &str) -> bool {
        constant_time_eq(
            self.query_hash(query_code).as_bytes(),
            stored_hash.as_bytes(),
        )
    }

    /// The key of the idempotency record (the raw key is the resident's; only a hash is stored).
    pub(crate) fn idempotency_hash(&self, idempotency_key: &str) -> String {
        hex(&self.mac("idempotency", &[idempotency_key]))
    }

    /// The stored form of a client address, for rate limits: never the raw address.
    pub(crate) fn client_hash(&self, client: &str) -> String {
        hex(&self.mac("client", &[client])[..16])
    }

    /// The idempotency key of a no-JavaScript form post: the same fields from the same client on
    /// the same day make the same key, so a double tap makes one case.
    pub(crate) fn form_idempotency_key(&self, fields: &[&str], client: &str, day: &str) -> String {
        let mut parts = fields.to_vec();
        parts.push(client);
        parts.push(day);
        format!("form-{}", &hex(&self.mac("form", &parts))[..40])
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
    out
}

/// Compares without an early exit, so timing does not tell how much of a guess was right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_code_is_sixteen_digits_and_stable_per_key() {
        let key = SecretKey::new(b"test".to_vec());
        let code = key.query_code("abc-123");
        assert_eq!(code.len(), 16);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(code, key.query_code("abc-123"));
        assert_ne!(code, key.query_code("abc-124"));
        assert_ne!(
            code,
            SecretKey::new(b"other".to_vec()).query_code("abc-123")
        );
        assert!(key.query_code_matches(&code, &key.query_hash(&code)));
        assert!(!key.query_code_matches("0000000000000000", &key.query_hash(&code)));
    }
}
