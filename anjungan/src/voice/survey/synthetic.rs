//! Many made-up answered forms, for benchmarks and load tests: what a
//! region's years of answers cost a report.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

use super::profile::{AgeBand, Education, Occupation, Sex};
use super::{Answers, Channel, Element, Response, record};
use crate::Result;
use crate::store::Store;

/// Adds `n` forms spread over the `days` days from `first_day`, over the
/// channels and a few services, mostly 3s and 4s with some blanks, in one
/// transaction; the same `seed` makes the same forms.
pub fn fill(
    store: &mut Store,
    n: usize,
    first_day: NaiveDate,
    days: u32,
    seed: u64,
    now: DateTime<FixedOffset>,
) -> Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed);
    const SERVICES: [&str; 4] = [
        "akta-kelahiran",
        "ktp-elektronik",
        "kartu-keluarga",
        "izin-usaha",
    ];
    store.transaction(|tx| {
        for _ in 0..n {
            let mut answers = Answers::default();
            for e in Element::ALL {
                let score = match rng.u8(0..20) {
                    0 => None,
                    1 => Some(1),
                    2..=4 => Some(2),
                    5..=13 => Some(3),
                    _ => Some(4),
                };
                answers.set(e, score).expect("1 to 4");
            }
            if answers.answered() == 0 {
                answers.set(Element::Requirements, Some(3)).expect("1 to 4");
            }
            let mut response = Response {
                answers,
                service: rng
                    .bool()
                    .then(|| SERVICES[rng.usize(..SERVICES.len())].to_owned()),
                ..Response::default()
            };
            let p = &mut response.profile;
            p.sex = rng.choice(Sex::ALL).copied();
            p.age = rng.choice(AgeBand::ALL).copied();
            p.education = rng.choice(Education::ALL).copied();
            p.occupation = rng.choice(Occupation::ALL).copied();
            let channel = Channel::ALL[rng.usize(..3)];
            let day = first_day + Duration::days(i64::from(rng.u32(..days.max(1))));
            record::insert(tx, &response, channel, day, &now, None)?;
        }
        Ok(())
    })
}
