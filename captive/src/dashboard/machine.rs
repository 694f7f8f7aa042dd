//! What the device itself is like now: uptime, the data directory's disk,
//! memory, CPU temperature. Read from /proc, /sys and statvfs; every
//! reading may be missing (a container has no thermal zone), and the page
//! then says so instead of failing.

use std::path::Path;

/// Bytes free and in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Space {
    pub free: u64,
    pub total: u64,
}

impl Space {
    /// Whole percent used.
    pub fn used_percent(&self) -> u64 {
        if self.total == 0 {
            return 0;
        }
        (self.total - self.free.min(self.total)) * 100 / self.total
    }
}

#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// Seconds since the system booted.
    pub uptime: Option<u64>,
    pub disk: Option<Space>,
    pub memory: Option<Space>,
    /// Degrees Celsius of the first thermal zone that reads.
    pub temperature: Option<f64>,
}

/// Reads everything now; `data_dir` is the directory whose disk counts.
pub fn read(data_dir: &Path) -> Machine {
    Machine {
        uptime: std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|s| uptime(&s)),
        disk: rustix::fs::statvfs(data_dir).ok().map(|s| Space {
            free: s.f_bavail.saturating_mul(s.f_frsize),
            total: s.f_blocks.saturating_mul(s.f_frsize),
        }),
        memory: std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| memory(&s)),
        temperature: temperature(Path::new("/sys/class/thermal")),
    }
}

fn uptime(proc_uptime: &str) -> Option<u64> {
    let seconds: f64 = proc_uptime.split_whitespace().next()?.parse().ok()?;
    Some(seconds as u64)
}

fn memory(meminfo: &str) -> Option<Space> {
    let field = |name: &str| -> Option<u64> {
        let line = meminfo.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    };
    Some(Space {
        free: field("MemAvailable:")?,
        total: field("MemTotal:")?,
    })
}

/// The first `thermal_zone*/temp` that reads (millidegrees).
fn temperature(thermal: &Path) -> Option<f64> {
    let mut zones: Vec<_> = std::fs::read_dir(thermal)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("thermal_zone"))
        })
        .collect();
    zones.sort();
    zones.iter().find_map(|z| {
        let milli: i64 = std::fs::read_to_string(z.join("temp"))
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Some(milli as f64 / 1000.0)
    })
}

/// `3 d 4 h`, `2 h 5 min`, `40 s`.
pub fn duration(seconds: u64) -> String {
    let (d, h, m) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `1.5 GiB`, `300 MiB`.
pub fn bytes(n: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let mib = n as f64 / MIB;
    if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_and_thermal_zones_are_read() {
        assert_eq!(uptime("12345.67 2345.00\n"), Some(12345));
        assert_eq!(uptime(""), None);
        let m = memory("MemTotal:        3884512 kB\nMemFree: 1 kB\nMemAvailable:    1942256 kB\n")
            .unwrap();
        assert_eq!((m.total, m.free), (3884512 * 1024, 1942256 * 1024));
        assert_eq!(m.used_percent(), 50);
        assert_eq!(memory("MemTotal: 1 kB\n"), None);

        let sys = tempfile::tempdir().unwrap();
        assert_eq!(temperature(sys.path()), None, "no zone, no reading");
        std::fs::create_dir(sys.path().join("thermal_zone1")).unwrap();
        std::fs::write(sys.path().join("thermal_zone1/temp"), "48250\n").unwrap();
        std::fs::create_dir(sys.path().join("thermal_zone0")).unwrap();
        assert_eq!(
            temperature(sys.path()),
            Some(48.25),
            "zone0 unreadable, zone1 read"
        );
    }

    #[test]
    fn durations_and_sizes_read_as_people_say_them() {
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(125), "2 min");
        assert_eq!(duration(2 * 3600 + 300), "2 h 5 min");
        assert_eq!(duration(3 * 86_400 + 4 * 3600 + 9), "3 d 4 h");
        assert_eq!(bytes(300 * 1024 * 1024), "300 MiB");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
