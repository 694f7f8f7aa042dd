//! Slowing down guessing at the login, counted in PostgreSQL so that every
//! hub process behind a load balancer sees the same count: after a few
//! wrong passwords from one address each next try must wait longer (1 s,
//! 2 s, 4 s, ... up to a minute), after [`LOCK_AFTER`] in a row the address
//! waits [`LOCK_SECONDS`]; all addresses together have wider bounds of the
//! same kind (the row `*`). A try made too early is refused without
//! looking at the password. The schedule is the device dashboard's.

use deadpool_postgres::Client;

use crate::Result;

/// Wrong passwords in a row that cost nothing: typing mistakes.
const FREE_FAILURES: i32 = 2;
/// Wrong passwords in a row from one address that lock it out.
pub const LOCK_AFTER: i32 = 10;
pub const LOCK_SECONDS: i64 = 15 * 60;
const LONGEST_WAIT: i64 = 64;
/// All addresses together: failures after which each try waits, and after
/// which everyone is locked out for a while.
const GLOBAL_FREE_FAILURES: i32 = 20;
const GLOBAL_LOCK_AFTER: i32 = 100;
/// A failure is forgotten after this long without another.
const FORGET_SECONDS: i64 = LOCK_SECONDS;
/// The row that counts every address.
const EVERYONE: &str = "*";

/// The wait after the `failures`-th wrong password in a row from one
/// address.
pub fn wait_after(failures: i32) -> i64 {
    if failures >= LOCK_AFTER {
        LOCK_SECONDS
    } else if failures <= FREE_FAILURES {
        0
    } else {
        (1i64 << (failures - FREE_FAILURES - 1).min(6)).min(LONGEST_WAIT)
    }
}

fn global_wait_after(failures: i32) -> i64 {
    if failures >= GLOBAL_LOCK_AFTER {
        LOCK_SECONDS
    } else if failures > GLOBAL_FREE_FAILURES {
        2
    } else {
        0
    }
}

/// Seconds `address` must still wait before a try is looked at; 0: go.
pub async fn wait(client: &Client, address: &str) -> Result<i64> {
    let row = client
        .query_one(
            "SELECT COALESCE(ceil(extract(epoch FROM max(not_before) - now()))::bigint, 0)
             FROM login_throttle WHERE address IN ($1, $2) AND not_before > now()",
            &[&address, &EVERYONE],
        )
        .await?;
    Ok(row.get::<_, i64>(0).max(0))
}

/// A wrong password from `address`: the seconds before its next try.
pub async fn failed(client: &Client, address: &str) -> Result<i64> {
    let mut longest = 0;
    type Schedule = fn(i32) -> i64;
    let counts: [(&str, Schedule); 2] = [(address, wait_after), (EVERYONE, global_wait_after)];
    for (row, schedule) in counts {
        // Counted in one statement, so two processes never lose a count.
        let failures: i32 = client
            .query_one(
                "INSERT INTO login_throttle (address, failures, last_at, not_before)
                 VALUES ($1, 1, now(), now())
                 ON CONFLICT (address) DO UPDATE SET
                     failures = CASE
                         WHEN login_throttle.last_at < now() - make_interval(secs => $2)
                              AND login_throttle.not_before <= now() THEN 1
                         ELSE login_throttle.failures + 1 END,
                     last_at = now()
                 RETURNING failures",
                &[&row, &(FORGET_SECONDS as f64)],
            )
            .await?
            .get(0);
        let wait = schedule(failures);
        client
            .execute(
                "UPDATE login_throttle SET not_before = now() + make_interval(secs => $2)
                 WHERE address = $1",
                &[&row, &(wait as f64)],
            )
            .await?;
        longest = longest.max(wait);
    }
    Ok(longest)
}

/// The right password from `address`: its failures are forgiven (the
/// count of all addresses stays).
pub async fn succeeded(client: &Client, address: &str) -> Result<()> {
    client
        .execute("DELETE FROM login_throttle WHERE address = $1", &[&address])
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_with_each_failure_then_locks_out() {
        let waits: Vec<i64> = (1..=LOCK_AFTER).map(wait_after).collect();
        assert_eq!(waits, [0, 0, 1, 2, 4, 8, 16, 32, 64, LOCK_SECONDS]);
        assert_eq!(global_wait_after(GLOBAL_FREE_FAILURES), 0);
        assert_eq!(global_wait_after(GLOBAL_FREE_FAILURES + 1), 2);
        assert_eq!(global_wait_after(GLOBAL_LOCK_AFTER), LOCK_SECONDS);
    }
}
