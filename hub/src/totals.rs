//! How many events the hub holds, per device and kind: what a region
//! checks against its devices, and what `anjungan-hub totals` prints.

use std::collections::BTreeMap;

use deadpool_postgres::Pool;

use crate::Result;

/// Events per device, then per kind.
pub type Totals = BTreeMap<String, BTreeMap<String, i64>>;

pub async fn totals(pool: &Pool) -> Result<Totals> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT device, kind, count(*) FROM event GROUP BY device, kind",
            &[],
        )
        .await?;
    let mut totals = Totals::new();
    for r in rows {
        totals
            .entry(r.get(0))
            .or_default()
            .insert(r.get(1), r.get(2));
    }
    Ok(totals)
}
