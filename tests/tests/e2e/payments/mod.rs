//! Payments over the composed server: card and bank account, new and
//! saved, the settlement worker on the test clock, receipts and failure
//! notices at a real SMTP server, the staff API (list, detail, CSV,
//! refunds, permissions), races, and no card or account number at rest or
//! in the logs.

mod ach;
mod card;
mod races;
mod secrets;
mod staff;
