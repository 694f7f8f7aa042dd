//! Many visitors at once in the namespace bed (`captive_bed::crowd`): 240
//! phones on the Wi-Fi, 200 of them join over real HTTP at the same time.
//! Then every joined one is online and every other still sent to the
//! portal, and the three records of who is in agree: the sessions in
//! SQLite, the elements of the kernel's set, and the portal's own status
//! API; each joined address has its counters for accounting.
//!
//! Needs root (CI runs as root). The figures for a thousand visitors come
//! from the benchmark `tests/benches/captive_crowd.rs`.

mod captive_bed;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use captive_bed::Bed;
use captive_bed::crowd::{self, Crowd};

const VISITORS: usize = 240;
const JOINING: usize = 200;

#[test]
fn two_hundred_join_at_once_and_every_record_agrees() {
    let Some(mut bed) = Bed::new("cr", "max_visitors = 2000\n") else {
        return;
    };
    bed.start();
    let crowd = Crowd::new(&bed, VISITORS);
    let joining: Vec<usize> = (0..JOINING).collect();
    let joined = crowd.join(&bed, &joining, 32);
    let refused: Vec<_> = joined.iter().filter(|j| !j.ok).collect();
    assert!(
        refused.is_empty(),
        "{} of {JOINING} did not join: {refused:?}\n{}",
        refused.len(),
        bed.log()
    );
    let expected: BTreeSet<Ipv4Addr> = joined.iter().map(|j| j.ip).collect();
    assert_eq!(expected.len(), JOINING);

    // The database, the kernel's set and the status API say the same.
    assert_eq!(crowd::sessions_in_database(&bed), expected);
    assert_eq!(crowd::kernel_set(&bed, "joined").0, expected);
    assert_eq!(crowd::status_visitors(&bed), JOINING as u64);

    // Joined: online; the others: still sent to the portal.
    let all: Vec<usize> = (0..VISITORS).collect();
    for (ip, code) in crowd.probe(&bed, &all) {
        let want = if expected.contains(&ip) { 204 } else { 302 };
        assert_eq!(code, want, "{ip}");
    }

    // Each joined address is counted both ways (RADIUS accounting reads
    // these), and its probe was counted.
    for set in ["upload", "download"] {
        let (addresses, counted, silent) = crowd::kernel_set(&bed, set);
        assert_eq!(addresses, expected, "{set}");
        assert_eq!(counted, JOINING, "{set}: every element has a counter");
        assert_eq!(silent, 0, "{set}: every joined visitor's probe was counted");
    }

    bed.stop();
}
