//! A `moto_server` on a free loopback port for the DynamoDB tests, with the tables created from
//! `ydt_function::table`. Without `moto_server` on PATH, starting one fails the test with a message
//! saying how to install it. Also the few item reads and writes the tests make straight to the
//! tables, as a handler does in the console.
//!
//! `aws_sdk_dynamodb` is re-exported, so a test crate needs no SDK dependency of its own for it.

pub use aws_sdk_dynamodb;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use ydt_function::store::dynamodb::{TableNames, create_table};
use ydt_function::table::{self, attr, item};

pub use crate::REGION;
use crate::{free_port, wait_until_listening};

/// A table item as the SDK reads and writes it.
pub type Item = HashMap<String, AttributeValue>;

/// A `moto_server` process, killed when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Moto {
        // Belt and braces: even a default credential chain would not ask instance metadata.
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: set once, before any SDK client of this process reads the environment.
        ONCE.call_once(|| unsafe { std::env::set_var("AWS_EC2_METADATA_DISABLED", "true") });

        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start moto_server ({err}): the DynamoDB tests need it on PATH; \
                     install it with `pip install 'moto[server]'`"
                )
            });
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        wait_until_listening(
            &mut moto.child,
            port,
            "moto_server",
            Duration::from_secs(60),
        );
        moto
    }

    pub fn client(&self) -> Client {
        client_for(&self.endpoint)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client_for(endpoint: &str) -> Client {
    client_in_region(endpoint, REGION)
}

/// A client of the backend for `region`: moto keeps a separate set of tables per region, found
/// from the region in each request's signature.
pub fn client_in_region(endpoint: &str, region: &str) -> Client {
    Client::from_conf(config_in_region(endpoint, region).build())
}

/// The configuration of [`client_in_region`], for a test that adds settings of its own (the
/// storage-fault run's retry and timeout settings).
pub fn config_in_region(endpoint: &str, region: &str) -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
}

pub fn names() -> TableNames {
    TableNames {
        cases: table::CASES.default_name.to_string(),
        reports: table::REPORTS.default_name.to_string(),
        meta: table::META.default_name.to_string(),
    }
}

/// Creates every table of `table::ALL` under its default name.
pub async fn create_tables(client: &Client) {
    for (def, name) in names().with_defs() {
        create_table(client, &def, name)
            .await
            .unwrap_or_else(|err| panic!("creating {name}: {err}"));
    }
}

/// A string attribute.
pub fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

/// Writes a case item with these string fields into `table`, as the console would.
pub async fn put_case(client: &Client, table: &str, fields: &[(&str, &str)]) {
    let mut put = client
        .put_item()
        .table_name(table)
        .item(attr::ITEM, s(item::CASE));
    for (name, value) in fields {
        put = put.item(*name, s(value));
    }
    put.send().await.unwrap();
}

/// The case item `case_id` of `table`, if there is one (read consistently: a test reads what it
/// has just written).
pub async fn find_case(client: &Client, table: &str, case_id: &str) -> Option<Item> {
    client
        .get_item()
        .table_name(table)
        .key(attr::CASE_ID, s(case_id))
        .key(attr::ITEM, s(item::CASE))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item()
        .cloned()
}
