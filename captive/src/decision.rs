//! Whether a visitor may join, how and until when: the portal's rules as
//! pure functions of what is known (no HTTP, no database, no firewall), so
//! each rule is tested on its own. `join` gathers the facts and carries the
//! decision out.

use anjungan::config::Auth;
use anjungan::wifi::radius::Grant;
use anjungan::wifi::{Redemption, session};

use crate::radius::{MAX_PASSWORD, MAX_USERNAME, Verdict};

/// Why a visitor could not join; each is shown on the portal page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The form is stale or came from elsewhere.
    StaleForm,
    TooManyAttempts,
    /// The device is not on the Wi-Fi (no entry in the neighbour table), or
    /// shows a joined visitor's MAC at an address the DHCP server did not
    /// give it.
    NotIdentified,
    /// A technician ended this visitor's session; they may join again in
    /// `minutes`.
    Ended {
        minutes: i64,
    },
    Full,
    /// `auth = "radius"` without a name or password typed.
    AccountMissing,
    /// The RADIUS server refused the name and password.
    AccountRejected,
    /// No RADIUS server answered: nobody gets in meanwhile.
    AccountsUnreachable,
    DailyTimeUsed,
    /// The visitor used the day's data limit: not again until tomorrow.
    DataDayUsed,
    /// The visitor's last session ended at its data limit (a notice on the
    /// page; they may join again).
    DataSessionUsed,
    VoucherMissing,
    VoucherUnknown,
    VoucherTaken,
    VoucherSpent,
}

/// The configured rules of joining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub auth: Auth,
    pub max_visitors: usize,
    pub rejoin_wait_seconds: i64,
    pub limits: session::Limits,
}

/// What is known about the Wi-Fi and the visitor when they ask to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asking<'a> {
    pub now: i64,
    pub live_visitors: usize,
    /// When a technician last ended a session of this visitor.
    pub kicked_at: Option<i64>,
    /// The voucher code typed, if any.
    pub voucher: Option<&'a str>,
    /// With `auth = "radius"`: what the servers said of the name and
    /// password (asked before, outside the join lock).
    pub verdict: Option<&'a Verdict>,
}

/// The way a visitor who may join joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way<'a> {
    ClickThrough,
    /// The code as typed (trimmed); the database decides whether it is good.
    Voucher(&'a str),
    /// Accepted by a RADIUS server: until when, and what it granted.
    Radius {
        expires_at: i64,
        grant: &'a Grant,
    },
}

/// The first decision: may this visitor join at all, and how.
pub fn admit<'a>(rules: &Rules, asking: &Asking<'a>) -> Result<Way<'a>, Refusal> {
    if let Some(at) = asking.kicked_at {
        let left = at + rules.rejoin_wait_seconds - asking.now;
        if left > 0 {
            return Err(Refusal::Ended {
                minutes: (left + 59) / 60,
            });
        }
    }
    if asking.live_visitors >= rules.max_visitors {
        return Err(Refusal::Full);
    }
    match rules.auth {
        Auth::Radius => match asking.verdict {
            None => Err(Refusal::AccountMissing),
            Some(Verdict::Rejected(_)) => Err(Refusal::AccountRejected),
            Some(Verdict::NoServer) => Err(Refusal::AccountsUnreachable),
            Some(Verdict::Accepted {
                session_timeout,
                grant,
            }) => {
                // The server's Session-Timeout, else the portal's own
                // session length; a week at most (the kernel's timeout).
                let seconds = session_timeout
                    .filter(|s| *s > 0)
                    .map(i64::from)
                    .unwrap_or(rules.limits.session_seconds)
                    .min(7 * 86_400);
                Ok(Way::Radius {
                    expires_at: asking.now + seconds,
                    grant,
                })
            }
        },
        Auth::Voucher => match asking.voucher.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Ok(Way::Voucher(code)),
            None => Err(Refusal::VoucherMissing),
        },
        Auth::ClickThrough => Ok(Way::ClickThrough),
    }
}

/// The name and password of a RADIUS sign-in as typed, if both are there
/// and within RADIUS's bounds (RFC 2865: 253 and 128 bytes).
pub fn account<'a>(
    username: Option<&'a str>,
    password: Option<&'a str>,
) -> Option<(&'a str, &'a str)> {
    let username = username.map(str::trim).filter(|u| !u.is_empty())?;
    let password = password.filter(|p| !p.is_empty())?;
    (username.len() <= MAX_USERNAME && password.len() <= MAX_PASSWORD)
        .then_some((username, password))
}

/// Click-through: until when, given the time used today.
pub fn click_through(rules: &Rules, used_today: i64, now: i64) -> Result<i64, Refusal> {
    session::grant(rules.limits, used_today)
        .map(|seconds| now + seconds)
        .ok_or(Refusal::DailyTimeUsed)
}

/// A voucher: until when, from what the database said of the code. A
/// voucher's time is its own: the daily allowance does not apply.
pub fn voucher(redemption: Redemption) -> Result<i64, Refusal> {
    match redemption {
        Redemption::Granted { expires_at } => Ok(expires_at),
        Redemption::Unknown => Err(Refusal::VoucherUnknown),
        Redemption::Taken => Err(Refusal::VoucherTaken),
        Redemption::Spent => Err(Refusal::VoucherSpent),
    }
}

/// The start of the device's local day containing `now`: the daily time
/// allowance starts again at midnight.
pub fn day_start(now: i64) -> i64 {
    use chrono::{Local, TimeZone};
    let Some(t) = Local.timestamp_opt(now, 0).single() else {
        return now - now.rem_euclid(86_400);
    };
    let midnight = t
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|m| m.timestamp())
        .unwrap_or(now - now.rem_euclid(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Rules = Rules {
        auth: Auth::ClickThrough,
        max_visitors: 2,
        rejoin_wait_seconds: 30 * 60,
        limits: session::Limits {
            session_seconds: 3_600,
            daily_seconds: 4 * 3_600,
        },
    };

    fn asking() -> Asking<'static> {
        Asking {
            now: 10_000,
            live_visitors: 0,
            kicked_at: None,
            voucher: None,
            verdict: None,
        }
    }

    #[test]
    fn click_through_joins_until_the_session_or_the_day_ends() {
        assert_eq!(admit(&RULES, &asking()), Ok(Way::ClickThrough));
        assert_eq!(click_through(&RULES, 0, 10_000), Ok(13_600));
        assert_eq!(click_through(&RULES, 3 * 3_600 + 1_800, 10_000), Ok(11_800));
        assert_eq!(
            click_through(&RULES, 4 * 3_600 - 30, 10_000),
            Err(Refusal::DailyTimeUsed)
        );
    }

    #[test]
    fn a_full_wi_fi_refuses() {
        let full = Asking {
            live_visitors: 2,
            ..asking()
        };
        assert_eq!(admit(&RULES, &full), Err(Refusal::Full));
    }

    #[test]
    fn a_visitor_a_technician_ended_waits_then_may_join() {
        let ended = Asking {
            kicked_at: Some(10_000 - 60),
            ..asking()
        };
        assert_eq!(admit(&RULES, &ended), Err(Refusal::Ended { minutes: 29 }));
        let later = Asking {
            now: 10_000 + 29 * 60,
            ..ended
        };
        assert_eq!(admit(&RULES, &later), Ok(Way::ClickThrough));
        let no_wait = Rules {
            rejoin_wait_seconds: 0,
            ..RULES
        };
        assert_eq!(admit(&no_wait, &ended), Ok(Way::ClickThrough));
    }

    #[test]
    fn radius_lets_in_only_whom_a_server_accepted_for_as_long_as_it_said() {
        let radius = Rules {
            auth: Auth::Radius,
            ..RULES
        };
        assert_eq!(admit(&radius, &asking()), Err(Refusal::AccountMissing));
        let down = Verdict::NoServer;
        let rejected = Verdict::Rejected(Some("no".into()));
        for (verdict, refusal) in [
            (&down, Refusal::AccountsUnreachable),
            (&rejected, Refusal::AccountRejected),
        ] {
            let a = Asking {
                verdict: Some(verdict),
                ..asking()
            };
            assert_eq!(admit(&radius, &a), Err(refusal));
        }
        let grant = Grant::default();
        let accepted = |session_timeout| Verdict::Accepted {
            session_timeout,
            grant: grant.clone(),
        };
        for (timeout, until) in [(Some(600), 10_600), (None, 13_600), (Some(0), 13_600)] {
            let v = accepted(timeout);
            let a = Asking {
                verdict: Some(&v),
                ..asking()
            };
            assert_eq!(
                admit(&radius, &a),
                Ok(Way::Radius {
                    expires_at: until,
                    grant: &grant
                })
            );
        }
        assert_eq!(account(Some(" siti "), Some("r")), Some(("siti", "r")));
        assert_eq!(account(Some("siti"), Some("")), None);
        assert_eq!(account(Some(" "), Some("r")), None);
        let long = "x".repeat(129);
        assert_eq!(account(Some("siti"), Some(&long)), None);
    }

    #[test]
    fn vouchers_need_a_code_and_the_database_s_word() {
        let rules = Rules {
            auth: Auth::Voucher,
            ..RULES
        };
        for missing in [None, Some(""), Some("  ")] {
            let a = Asking {
                voucher: missing,
                ..asking()
            };
            assert_eq!(admit(&rules, &a), Err(Refusal::VoucherMissing));
        }
        let a = Asking {
            voucher: Some(" ABCD-EFGH "),
            ..asking()
        };
        assert_eq!(admit(&rules, &a), Ok(Way::Voucher("ABCD-EFGH")));
        assert_eq!(voucher(Redemption::Granted { expires_at: 5 }), Ok(5));
        assert_eq!(voucher(Redemption::Taken), Err(Refusal::VoucherTaken));
        assert_eq!(voucher(Redemption::Spent), Err(Refusal::VoucherSpent));
        assert_eq!(voucher(Redemption::Unknown), Err(Refusal::VoucherUnknown));
    }

    #[test]
    fn the_day_starts_at_local_midnight() {
        let now = 1_764_500_000;
        let start = day_start(now);
        assert!(start <= now && now - start < 86_400 + 3_600);
        assert_eq!(day_start(start), start);
    }
}
