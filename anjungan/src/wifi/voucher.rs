//! Vouchers: short codes that give a visitor minutes of internet. Issued by
//! the technician (`anjungan voucher issue`) or printed by the kiosk on a
//! slip; redeemed on the portal.
//!
//! A code is eight characters from an alphabet without look-alikes (no
//! `0`/`O`, `1`/`I`/`L`), shown as `ABCD-EFGH`: 40 random bits, which the
//! portal's limit on attempts per visitor makes impossible to guess. The
//! time runs from the first use, and only the device that used it first may
//! use it again (a slip handed on after use gives nothing).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Mac;
use crate::store::Store;
use crate::{Result, readable_code};

const CODE_LEN: usize = 8;
/// Most vouchers one `issue` makes, so a typo in `--count` cannot fill the disk.
pub const MAX_ISSUE: u32 = 10_000;
/// Longest voucher: a year.
pub const MAX_MINUTES: u32 = 525_600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voucher {
    /// As printed: `ABCD-EFGH`.
    pub code: String,
    pub minutes: u32,
    pub issued_at: i64,
}

/// What redeeming a code gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redemption {
    /// The visitor may join until `expires_at` (Unix seconds).
    Granted { expires_at: i64 },
    /// No such code (or a typo).
    Unknown,
    /// Another device used it first.
    Taken,
    /// Its time is used up.
    Spent,
}

/// Makes `count` new vouchers of `minutes` each, in one transaction.
pub fn issue(store: &mut Store, count: u32, minutes: u32, now: i64) -> Result<Vec<Voucher>> {
    assert!((1..=MAX_ISSUE).contains(&count) && (1..=MAX_MINUTES).contains(&minutes));
    store.transaction(|tx| {
        let mut insert = tx.prepare(
            "INSERT OR IGNORE INTO wifi_voucher (code, minutes, issued_at) VALUES (?1, ?2, ?3)",
        )?;
        let mut made = Vec::with_capacity(count as usize);
        while made.len() < count as usize {
            let code = readable_code::random(CODE_LEN);
            // A clash with an existing code (one in 2^40) is simply drawn again.
            if insert.execute(params![code, minutes, now])? == 1 {
                made.push(Voucher {
                    code: display(&code),
                    minutes,
                    issued_at: now,
                });
            }
        }
        Ok(made)
    })
}

/// Redeems `typed` (as the visitor typed it) for the device `mac` at `now`.
pub fn redeem(store: &mut Store, typed: &str, mac: Mac, now: i64) -> Result<Redemption> {
    let Some(code) = normalize(typed) else {
        return Ok(Redemption::Unknown);
    };
    store.transaction(|tx| {
        let row: Option<(i64, Option<i64>, Option<String>)> = tx
            .query_row(
                "SELECT minutes, first_used_at, mac FROM wifi_voucher WHERE code = ?1",
                [&code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(match row {
            None => Redemption::Unknown,
            Some((minutes, None, _)) => {
                tx.execute(
                    "UPDATE wifi_voucher SET first_used_at = ?2, mac = ?3 WHERE code = ?1",
                    params![code, now, mac.to_string()],
                )?;
                Redemption::Granted {
                    expires_at: now + minutes * 60,
                }
            }
            Some((minutes, Some(first), Some(owner))) => {
                let expires_at = first + minutes * 60;
                if owner != mac.to_string() {
                    Redemption::Taken
                } else if expires_at <= now {
                    Redemption::Spent
                } else {
                    Redemption::Granted { expires_at }
                }
            }
            Some((_, Some(_), None)) => Redemption::Unknown, // excluded by the table's CHECK
        })
    })
}

/// The voucher `typed` names, if it exists (for printing its slip).
pub fn find(store: &Store, typed: &str) -> Result<Option<Voucher>> {
    let Some(code) = normalize(typed) else {
        return Ok(None);
    };
    store.run(|conn| {
        conn.query_row(
            "SELECT minutes, issued_at FROM wifi_voucher WHERE code = ?1",
            [&code],
            |r| {
                Ok(Voucher {
                    code: display(&code),
                    minutes: r.get(0)?,
                    issued_at: r.get(1)?,
                })
            },
        )
        .optional()
    })
}

/// The stored form of a typed code: upper case, without spaces and dashes;
/// `None` when it cannot be a code at all.
pub fn normalize(typed: &str) -> Option<String> {
    readable_code::normalize(typed, CODE_LEN)
}

fn display(code: &str) -> String {
    format!("{}-{}", &code[..4], &code[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    const PHONE: Mac = Mac([0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
    const OTHER: Mac = Mac([0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5f]);

    #[test]
    fn issued_codes_are_distinct_and_readable() {
        let (_d, mut s) = store();
        let v = issue(&mut s, 200, 30, 1_000).unwrap();
        let mut codes: Vec<_> = v.iter().map(|v| v.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 200);
        for c in &codes {
            assert_eq!(c.len(), 9);
            assert!(normalize(c).is_some(), "{c}");
            assert!(!c.contains(['0', 'O', '1', 'I', 'L']), "{c}");
        }
    }

    #[test]
    fn time_runs_from_first_use_for_the_first_device_only() {
        let (_d, mut s) = store();
        let code = issue(&mut s, 1, 30, 1_000).unwrap().remove(0).code;
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(
            redeem(&mut s, &typed, PHONE, 5_000).unwrap(),
            Redemption::Granted { expires_at: 6_800 }
        );
        assert_eq!(
            redeem(&mut s, &code, PHONE, 6_000).unwrap(),
            Redemption::Granted { expires_at: 6_800 }
        );
        assert_eq!(
            redeem(&mut s, &code, OTHER, 6_000).unwrap(),
            Redemption::Taken
        );
        assert_eq!(
            redeem(&mut s, &code, PHONE, 6_800).unwrap(),
            Redemption::Spent
        );
    }

    #[test]
    fn nonsense_is_unknown() {
        let (_d, mut s) = store();
        for typed in [
            "",
            "ABCD-EFGH",
            "ABCD-EFG",
            "'; DROP TABLE x; --",
            "ÄBCD-EFGH",
        ] {
            assert_eq!(
                redeem(&mut s, typed, PHONE, 1).unwrap(),
                Redemption::Unknown
            );
        }
    }
}
