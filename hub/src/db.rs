//! The hub's PostgreSQL: a pool of connections and the schema.
//!
//! Every hub process shares one database and keeps nothing of its own, so
//! several can run behind a load balancer. Schema updates run at start
//! under an advisory lock: processes started together take turns.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::Result;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// An arbitrary key of the lock that serialises schema updates.
const MIGRATION_LOCK: i64 = 0x616e_6a75_6e67_616e;

/// A pool over the database `config` names, in libpq's key=value form
/// (`host=/run/postgresql dbname=anjungan user=anjungan`).
pub fn pool(config: &str, size: usize) -> Result<Pool> {
    let pg: tokio_postgres::Config = config.parse()?;
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager)
        .max_size(size)
        .build()
        .expect("a pool with a runtime builds"))
}

/// Brings the schema up to date.
pub async fn migrate(pool: &Pool) -> Result<()> {
    let mut client = pool.get().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = embedded::migrations::runner()
        .run_async(&mut **client)
        .await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    result?;
    Ok(())
}
