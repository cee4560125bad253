//! The submission function: residents' complaints, reports and suggestions in, case numbers out.
//! The same handler code runs on AWS Lambda (over DynamoDB) and inside `ydt serve` (over the
//! embedded local store).

pub mod manifest;
