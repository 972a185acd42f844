//! The sandbox's test numbers, the gateways' published ones, and how their
//! behaviour travels in tokens and references (never a digit beyond the
//! last four: the sandbox is deterministic, so it needs no storage).

use chrono::NaiveDate;
use portico_domain::payment::{AchReturnCode, DeclineCode};
use sha2::{Digest, Sha256};

/// What a test number does when charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// The charge succeeds (an ACH debit settles).
    Succeed,
    /// The issuer declines.
    Decline(DeclineCode),
    /// The network fails to process the card; nothing is charged.
    ProcessingError,
    /// The ACH debit is sent, then returned with this code.
    Return(AchReturnCode),
}

/// Cards with a special outcome (Stripe's published test numbers); every
/// other valid card number succeeds.
pub const CARDS: [(&str, &str); 8] = [
    ("4000000000000002", "declined: card_declined"),
    ("4000000000009995", "declined: insufficient_funds"),
    ("4000000000009987", "declined: lost_card"),
    ("4000000000009979", "declined: stolen_card"),
    ("4000000000000069", "declined: expired_card"),
    ("4000000000000127", "declined: incorrect_cvc"),
    ("4100000000000019", "declined: fraudulent"),
    ("4000000000000119", "processing_error (transient: nothing charged, try again)"),
];

/// Bank accounts with a special outcome (Stripe's published ACH test
/// accounts, with routing number 110000000); every other valid account settles.
pub const ACCOUNTS: [(&str, &str); 5] = [
    ("000123456789", "settles"),
    ("000222222227", "returned R01 (insufficient funds)"),
    ("000111111113", "returned R02 (account closed)"),
    ("000111111116", "returned R03 (no account)"),
    ("000333333335", "returned R10 (not authorised)"),
];

pub(crate) fn card_behaviour(number: &str) -> Behaviour {
    match number {
        "4000000000000002" => Behaviour::Decline(DeclineCode::Generic),
        "4000000000009995" => Behaviour::Decline(DeclineCode::InsufficientFunds),
        "4000000000009987" => Behaviour::Decline(DeclineCode::LostCard),
        "4000000000009979" => Behaviour::Decline(DeclineCode::StolenCard),
        "4000000000000069" => Behaviour::Decline(DeclineCode::ExpiredCard),
        "4000000000000127" => Behaviour::Decline(DeclineCode::IncorrectCvc),
        "4100000000000019" => Behaviour::Decline(DeclineCode::Fraudulent),
        "4000000000000119" => Behaviour::ProcessingError,
        _ => Behaviour::Succeed,
    }
}

pub(crate) fn account_behaviour(account: &str) -> Behaviour {
    match account {
        "000222222227" => Behaviour::Return(AchReturnCode::INSUFFICIENT_FUNDS),
        "000111111113" => Behaviour::Return(AchReturnCode::ACCOUNT_CLOSED),
        "000111111116" => Behaviour::Return(AchReturnCode::NO_ACCOUNT),
        "000333333335" => Behaviour::Return(AchReturnCode::NOT_AUTHORIZED),
        _ => Behaviour::Succeed,
    }
}

/// The bank a routing number names, for display.
pub(crate) fn bank_name(routing: &str) -> &'static str {
    match routing {
        "110000000" => "Sandbox Test Bank",
        "021000021" => "JPMorgan Chase",
        "011000015" => "Federal Reserve Bank",
        "026009593" => "Bank of America",
        "121000248" => "Wells Fargo",
        _ => "US bank account",
    }
}

impl Behaviour {
    /// The tag written into tokens and references.
    pub(crate) fn tag(self) -> String {
        match self {
            Self::Succeed => "ok".to_owned(),
            Self::Decline(code) => code.as_str().replace('_', "-"),
            Self::ProcessingError => "processing-error".to_owned(),
            Self::Return(code) => code.to_string().to_ascii_lowercase(),
        }
    }

    pub(crate) fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "ok" => Some(Self::Succeed),
            "processing-error" => Some(Self::ProcessingError),
            t if t.starts_with('r') => AchReturnCode::parse(t).ok().map(Self::Return),
            t => DeclineCode::parse(&t.replace('-', "_")).map(Self::Decline),
        }
    }
}

/// Card or bank account, as written in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rail {
    Card,
    Ach,
}

impl Rail {
    const fn tag(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Ach => "ach",
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "card" => Some(Self::Card),
            "ach" => Some(Self::Ach),
            _ => None,
        }
    }
}

/// `pm_sbx_<rail>_<behaviour>_<random>`.
pub(crate) fn token(rail: Rail, behaviour: Behaviour, random: &str) -> String {
    format!("pm_sbx_{}_{}_{random}", rail.tag(), behaviour.tag())
}

/// The rail and behaviour of a sandbox token.
pub(crate) fn parse_token(token: &str) -> Option<(Rail, Behaviour)> {
    let mut parts = token.strip_prefix("pm_sbx_")?.split('_');
    let rail = Rail::from_tag(parts.next()?)?;
    let behaviour = Behaviour::from_tag(parts.next()?)?;
    let random = parts.next()?;
    (parts.next().is_none() && !random.is_empty() && random.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some((rail, behaviour))
}

/// The first 16 hex digits of SHA-256 of `parts`: the same key gives the same id.
pub(crate) fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..8])
}

/// A charge reference: `ch_sbx_<rail>_<behaviour>_<sent yyyymmdd>_<digest>`.
pub(crate) fn charge_reference(rail: Rail, behaviour: Behaviour, sent: NaiveDate, key_digest: &str) -> String {
    format!("ch_sbx_{}_{}_{}_{key_digest}", rail.tag(), behaviour.tag(), sent.format("%Y%m%d"))
}

/// The rail, behaviour and sending day of a charge reference.
pub(crate) fn parse_charge(reference: &str) -> Option<(Rail, Behaviour, NaiveDate)> {
    let mut parts = reference.strip_prefix("ch_sbx_")?.split('_');
    let rail = Rail::from_tag(parts.next()?)?;
    let behaviour = Behaviour::from_tag(parts.next()?)?;
    let sent = NaiveDate::parse_from_str(parts.next()?, "%Y%m%d").ok()?;
    let digest = parts.next()?;
    (parts.next().is_none() && digest.len() == 16).then_some((rail, behaviour, sent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_survive_their_tags() {
        let all = [
            Behaviour::Succeed,
            Behaviour::ProcessingError,
            Behaviour::Decline(DeclineCode::InsufficientFunds),
            Behaviour::Return(AchReturnCode::NO_ACCOUNT),
        ];
        for b in all.into_iter().chain(DeclineCode::ALL.map(Behaviour::Decline)) {
            assert_eq!(Behaviour::from_tag(&b.tag()), Some(b), "{b:?}");
            let t = token(Rail::Card, b, "ab12");
            assert_eq!(parse_token(&t), Some((Rail::Card, b)), "{t}");
        }
        assert_eq!(parse_token("pm_sbx_card_ok_"), None);
        assert_eq!(parse_token("pm_live_card_ok_ab"), None);
        assert_eq!(parse_token("pm_sbx_card_ok_ab_extra"), None);
    }

    #[test]
    fn charge_references_carry_their_sending_day() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let r = charge_reference(Rail::Ach, Behaviour::Return(AchReturnCode::ACCOUNT_CLOSED), day, &digest(&["k"]));
        assert_eq!(parse_charge(&r), Some((Rail::Ach, Behaviour::Return(AchReturnCode::ACCOUNT_CLOSED), day)));
        assert_eq!(parse_charge("ch_sbx_ach_ok_2026120_0123456789abcdef"), None);
        assert_eq!(digest(&["k"]), digest(&["k"]));
        assert_ne!(digest(&["k"]), digest(&["k2"]));
    }
}
