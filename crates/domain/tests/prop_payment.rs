//! Card and bank account parsers against an independent implementation of
//! their checksums: every valid number passes, every single-digit change
//! fails, and no input panics. Allocations never exceed a balance.

mod common;

use chrono::NaiveDate;
use portico_domain::payment::{
    AccountNumber, Allocations, BankAccountError, CardError, CardExpiry, CardNumber, InvoiceAmount, OpenInvoice,
    PaidShare, RoutingNumber, refund_split,
};
use portico_domain::{Currency, DocumentId, Money};
use proptest::prelude::*;

/// The Luhn check digit of `body`, computed here from the definition.
fn luhn_digit(body: &[u8]) -> u8 {
    let mut sum = 0_u32;
    for (i, d) in body.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

fn to_string(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// A Luhn-valid 16-digit Visa number: 4, 14 random digits, the check digit.
fn visa() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0_u8..10, 14).prop_map(|rest| {
        let mut digits = vec![4];
        digits.extend(rest);
        let check = luhn_digit(&digits);
        digits.push(check);
        digits
    })
}

/// Nine digits passing the ABA checksum, with a bank prefix (01–12).
fn routing() -> impl Strategy<Value = Vec<u8>> {
    (1_u8..=12, prop::collection::vec(0_u8..10, 6)).prop_map(|(prefix, middle)| {
        let mut digits = vec![prefix / 10, prefix % 10];
        digits.extend(middle);
        let weights = [3_u32, 7, 1, 3, 7, 1, 3, 7];
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| u32::from(*d) * w).sum();
        // The last weight is 1: the digit that brings the sum to a multiple of 10.
        digits.push(((10 - sum % 10) % 10) as u8);
        digits
    })
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).expect("date")
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn any_luhn_valid_number_parses_with_its_last_four(digits in visa(), spaced in any::<bool>()) {
        let plain = to_string(&digits);
        let typed = if spaced {
            plain.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
        } else {
            plain.clone()
        };
        let number = CardNumber::parse(&typed).unwrap();
        prop_assert_eq!(number.expose(), plain.as_str());
        prop_assert_eq!(number.last4(), &plain[12..]);
        let shown = format!("{number:?}");
        prop_assert!(!shown.contains(&plain));
    }

    #[test]
    fn any_single_digit_change_fails_the_luhn_check(digits in visa(), at in 0_usize..16, delta in 1_u8..10) {
        let mut changed = digits.clone();
        changed[at] = (changed[at] + delta) % 10;
        prop_assert_eq!(CardNumber::parse(&to_string(&changed)), Err(CardError::Checksum));
    }

    #[test]
    fn any_valid_routing_number_parses_and_a_changed_digit_fails(
        digits in routing(), at in 0_usize..9, delta in 1_u8..10,
    ) {
        let valid = to_string(&digits);
        let parsed = RoutingNumber::parse(&valid).unwrap();
        prop_assert_eq!(parsed.as_str(), valid.as_str());
        let mut changed = digits.clone();
        changed[at] = (changed[at] + delta) % 10;
        prop_assert_eq!(RoutingNumber::parse(&to_string(&changed)), Err(BankAccountError::RoutingChecksum));
    }

    #[test]
    fn account_numbers_of_four_to_seventeen_digits_parse(digits in "[0-9]{1,20}") {
        let parsed = AccountNumber::parse(&digits);
        prop_assert_eq!(parsed.is_ok(), (4..=17).contains(&digits.len()));
        if let Ok(account) = parsed {
            prop_assert_eq!(account.last4(), &digits[digits.len() - 4..]);
        }
    }

    #[test]
    fn card_and_bank_parsers_never_panic(input in "\\PC{0,40}", month in "\\PC{0,4}", year in "\\PC{0,6}") {
        let _ = CardNumber::parse(&input);
        let _ = RoutingNumber::parse(&input);
        let _ = AccountNumber::parse(&input);
        let _ = CardExpiry::parse(&month, &year, today());
    }

    #[test]
    fn an_expiry_parses_exactly_when_its_month_has_not_passed(month in 1_u32..=12, year in 2020_i32..2035) {
        let parsed = CardExpiry::parse(&month.to_string(), &year.to_string(), today());
        prop_assert_eq!(parsed.is_ok(), (year, month) >= (2026, 12));
    }

    #[test]
    fn allocations_never_exceed_a_balance_and_add_up(
        balances in prop::collection::vec(1_i64..1_000_000, 1..8),
        asks in prop::collection::vec(prop::option::of(-10_i64..2_000_000), 1..8),
    ) {
        let usd = |m| Money::from_minor(m, Currency::USD);
        let id = |i: usize| DocumentId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1));
        let open: Vec<OpenInvoice> = balances
            .iter()
            .enumerate()
            .map(|(i, b)| OpenInvoice { id: id(i), number: format!("INV-{i}"), balance: usd(*b), due_date: None })
            .collect();
        let chosen: Vec<InvoiceAmount> = asks
            .iter()
            .enumerate()
            .map(|(i, a)| InvoiceAmount { invoice: id(i % balances.len()), amount: a.map(usd) })
            .collect();
        if let Ok(plan) = Allocations::plan(&chosen, &open) {
            let mut sum = 0;
            for a in plan.items() {
                let invoice = open.iter().find(|o| o.id == a.invoice).unwrap();
                let balance = invoice.balance.minor_units();
                prop_assert!(a.amount.minor_units() > 0 && a.amount.minor_units() <= balance);
                sum += a.amount.minor_units();
            }
            prop_assert_eq!(plan.total().minor_units(), sum);
            // A refund of any part of it goes back within each share.
            let shares: Vec<PaidShare> =
                plan.items().iter().map(|a| PaidShare { invoice: a.invoice, amount: a.amount, refunded: usd(0) }).collect();
            let split = refund_split(&shares, usd((sum + 1) / 2)).unwrap();
            prop_assert_eq!(split.iter().map(|a| a.amount.minor_units()).sum::<i64>(), (sum + 1) / 2);
            for part in split {
                let share = shares.iter().find(|s| s.invoice == part.invoice).unwrap();
                prop_assert!(part.amount.minor_units() <= share.amount.minor_units());
            }
        }
    }
}
