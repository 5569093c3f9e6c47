//! The list APIs' `nextToken`: a page's [`StartKey`], opaque to clients and tamper-evident.
//!
//! A token is `base64url(payload ‖ HMAC-SHA256(secret, payload))`, the payload being the sort
//! direction and the last item's table and index keys as JSON. Redeeming checks the MAC first,
//! then that the position belongs to the list and direction being read, so a token that was
//! edited, made up, or issued for another list is refused (400) and never reaches the table.
//!
//! The secret is the deployment's: `PAGE_TOKEN_SECRET` on AWS (the stage's Secrets Manager
//! secret), and a secret drawn once into the data directory locally. A token does not outlive a
//! change of secret; the client then starts the list again.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{IndexKey, Key, StartKey};
use crate::validation::{SortDirection, ValueError};

type HmacSha256 = Hmac<Sha256>;

/// Length of the MAC that ends every token's bytes.
const TAG_LEN: usize = 32;

/// Tells tokens of this format apart from any later one (and from other uses of the secret).
const FORMAT: &[u8] = b"ecomm/page-token/v1\0";

/// A `nextToken` as a client sent it: not empty and at most [`PageToken::MAX_LEN`] characters;
/// only [`PageTokens::redeem`] says whether it is genuine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageToken(String);

impl PageToken {
    /// Comfortably above the longest token issued (two 1 KB keys would not fit a list item's
    /// ids, which are at most 128 characters).
    pub const MAX_LEN: usize = 4096;

    pub fn parse(value: &str) -> Result<Self, ValueError> {
        if value.is_empty() {
            return Err(ValueError::TooShort { min: 1 });
        }
        if value.len() > Self::MAX_LEN {
            return Err(ValueError::TooLong { max: Self::MAX_LEN });
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a `nextToken` was refused.
#[derive(Debug, thiserror::Error)]
pub enum PageTokenError {
    #[error("the nextToken is not base64url")]
    NotBase64(#[source] base64::DecodeError),
    #[error("the nextToken is too short to be signed")]
    Truncated,
    #[error("the nextToken was not issued by this deployment, or was altered")]
    Forged,
    #[error("the nextToken holds no page position")]
    Unreadable(#[source] serde_json::Error),
    #[error("the nextToken belongs to another list or sort direction")]
    Foreign,
}

/// Why a page's token could not be made: the table reported a position a list cannot resume
/// from. A server error, never the client's.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the last evaluated key of an index page has no index key")]
    NoIndexKey,
    #[error("the page position cannot be encoded")]
    Encode(#[source] serde_json::Error),
}

/// What a token carries (short names: it travels in every page).
#[derive(Serialize, Deserialize)]
struct Position {
    #[serde(rename = "d")]
    direction: SortDirection,
    pk: String,
    sk: String,
    #[serde(rename = "ipk")]
    gsi1pk: String,
    #[serde(rename = "isk")]
    gsi1sk: String,
}

/// Issues and redeems the tokens of one deployment's secret.
#[derive(Clone)]
pub struct PageTokens {
    mac: HmacSha256,
}

impl std::fmt::Debug for PageTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PageTokens(..)")
    }
}

impl PageTokens {
    /// Tokens signed with `secret` (any length; HMAC hashes a long one).
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        mac.update(FORMAT);
        Self { mac }
    }

    /// Tokens signed with 32 bytes from the OS's random source: valid while this value lives.
    pub fn random() -> Result<Self, rand::rand_core::OsError> {
        let mut secret = [0; 32];
        OsRng.try_fill_bytes(&mut secret)?;
        Ok(Self::new(&secret))
    }

    /// The token of the page after `start`, a position in the index (the only thing a list
    /// pages through).
    pub fn issue(&self, direction: SortDirection, start: &StartKey) -> Result<String, IssueError> {
        let index = start.index.as_ref().ok_or(IssueError::NoIndexKey)?;
        let position = Position {
            direction,
            pk: start.key.pk.clone(),
            sk: start.key.sk.clone(),
            gsi1pk: index.gsi1pk.clone(),
            gsi1sk: index.gsi1sk.clone(),
        };
        let mut bytes = serde_json::to_vec(&position).map_err(IssueError::Encode)?;
        let tag = self.tag(&bytes);
        bytes.extend_from_slice(&tag);
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The start key of the page `token` continues, if this deployment issued it for the index
    /// partition `gsi1pk` read in `direction`.
    pub fn redeem(
        &self,
        token: &PageToken,
        gsi1pk: &str,
        direction: SortDirection,
    ) -> Result<StartKey, PageTokenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.as_str())
            .map_err(PageTokenError::NotBase64)?;
        let split = bytes
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(PageTokenError::Truncated)?;
        let (payload, tag) = bytes.split_at(split);
        let mut mac = self.mac.clone();
        mac.update(payload);
        mac.verify_slice(tag).map_err(|_| PageTokenError::Forged)?;
        let position: Position =
            serde_json::from_slice(payload).map_err(PageTokenError::Unreadable)?;
        if position.gsi1pk != gsi1pk || position.direction != direction {
            return Err(PageTokenError::Foreign);
        }
        Ok(StartKey {
            key: Key::new(position.pk, position.sk),
            index: Some(IndexKey {
                gsi1pk: position.gsi1pk,
                gsi1sk: position.gsi1sk,
            }),
        })
    }

    fn tag(&self, payload: &[u8]) -> [u8; TAG_LEN] {
        let mut mac = self.mac.clone();
        mac.update(payload);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(gsi1pk: &str) -> StartKey {
        StartKey {
            key: Key::new("ORDERS#ORDER_ID#A", "ORDER_ID#A"),
            index: Some(IndexKey {
                gsi1pk: gsi1pk.to_owned(),
                gsi1sk: "CREATED_AT#2025-01-01T00:00:00.000Z".to_owned(),
            }),
        }
    }

    fn token(text: &str) -> PageToken {
        PageToken::parse(text).unwrap()
    }

    #[test]
    fn a_token_round_trips_for_its_list_and_direction() {
        let tokens = PageTokens::new(b"secret");
        let issued = tokens
            .issue(SortDirection::Desc, &start("ORDERS#ORDER"))
            .unwrap();
        assert!(!issued.contains("ORDER"), "opaque: {issued}");
        assert_eq!(
            tokens
                .redeem(&token(&issued), "ORDERS#ORDER", SortDirection::Desc)
                .unwrap(),
            start("ORDERS#ORDER")
        );
    }

    #[test]
    fn another_list_or_direction_is_refused() {
        let tokens = PageTokens::new(b"secret");
        let issued = token(
            &tokens
                .issue(SortDirection::Asc, &start("ORDERS#ORDER"))
                .unwrap(),
        );
        for (gsi1pk, direction) in [
            ("INVENTORY#SKU", SortDirection::Asc),
            ("ORDERS#ORDER", SortDirection::Desc),
        ] {
            assert!(matches!(
                tokens.redeem(&issued, gsi1pk, direction),
                Err(PageTokenError::Foreign)
            ));
        }
    }

    #[test]
    fn every_altered_or_made_up_token_is_refused() {
        let tokens = PageTokens::new(b"secret");
        let issued = tokens
            .issue(SortDirection::Asc, &start("ORDERS#ORDER"))
            .unwrap();
        let redeem = |text: &str| tokens.redeem(&token(text), "ORDERS#ORDER", SortDirection::Asc);
        // Every single-character change: a flipped payload or tag byte, or a non-base64 one.
        for position in 0..issued.len() {
            let mut altered = issued.clone().into_bytes();
            altered[position] = if altered[position] == b'A' {
                b'B'
            } else {
                b'A'
            };
            let altered = String::from_utf8(altered).unwrap();
            assert!(redeem(&altered).is_err(), "{altered}");
        }
        assert!(matches!(redeem("%%%"), Err(PageTokenError::NotBase64(_))));
        assert!(matches!(redeem("AAAA"), Err(PageTokenError::Truncated)));
        // A well-formed position signed with another secret.
        let foreign = PageTokens::new(b"other")
            .issue(SortDirection::Asc, &start("ORDERS#ORDER"))
            .unwrap();
        assert!(matches!(redeem(&foreign), Err(PageTokenError::Forged)));
        // An unsigned position.
        let unsigned = URL_SAFE_NO_PAD.encode([b"{\"d\":\"asc\"}".as_slice(), &[0; 32]].concat());
        assert!(matches!(redeem(&unsigned), Err(PageTokenError::Forged)));
    }

    #[test]
    fn a_start_key_without_an_index_key_has_no_token() {
        let table_only = StartKey {
            key: Key::new("P", "S"),
            index: None,
        };
        assert!(matches!(
            PageTokens::random()
                .unwrap()
                .issue(SortDirection::Asc, &table_only),
            Err(IssueError::NoIndexKey)
        ));
    }

    #[test]
    fn tokens_are_bounded() {
        assert!(PageToken::parse("").is_err());
        assert!(PageToken::parse(&"A".repeat(PageToken::MAX_LEN + 1)).is_err());
        assert!(PageToken::parse(&"A".repeat(PageToken::MAX_LEN)).is_ok());
    }
}
