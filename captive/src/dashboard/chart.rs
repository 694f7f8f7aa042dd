//! Bar charts as SVG drawn on the server (no script, no outside file):
//! every bar carries its number as text and the axis its labels, so the
//! chart reads in black and white, in print and to a screen reader (the
//! figure also has a `<title>` and the numbers in a table beside it).

use maud::{Markup, html};

/// One bar: its label under the axis and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
}

const HEIGHT: u32 = 160;
/// Every chart is as wide, whatever its number of bars, so two charts
/// beside each other have the same scale of text.
const WIDTH: u32 = 680;
const GAP: u32 = 6;
const TOP: u32 = 18;
const BOTTOM: u32 = 34;

/// A bar chart of `bars`, titled `title`. Every `label_every`-th label is
/// written under the axis (all of them would overlap on a phone).
pub fn bars(title: &str, bars: &[Bar], label_every: usize) -> Markup {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let width = WIDTH;
    let n = (bars.len() as u32).max(1);
    let bar_width = (WIDTH - GAP) / n - GAP;
    let plot = HEIGHT - TOP - BOTTOM;
    let label_every = label_every.max(1);
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (width) " " (HEIGHT) } preserveAspectRatio="xMinYMin meet" {
            title { (title) }
            line x1="0" x2=(width) y1=(TOP + plot) y2=(TOP + plot) stroke="#000" {}
            @for (i, bar) in bars.iter().enumerate() {
                @let h = (bar.value * u64::from(plot) / max) as u32;
                @let x = GAP + (i as u32) * (bar_width + GAP);
                // Outlined and numbered: nothing depends on the colour.
                rect x=(x) y=(TOP + plot - h) width=(bar_width) height=(h)
                    fill="#9bc" stroke="#000" stroke-width="1" {}
                @if bar.value > 0 {
                    text x=(x + bar_width / 2) y=(TOP + plot - h - 3) font-size="10" text-anchor="middle" { (bar.value) }
                }
                @if i % label_every == 0 {
                    text x=(x + bar_width / 2) y=(HEIGHT - BOTTOM + 14) font-size="10" text-anchor="middle" { (bar.label) }
                }
            }
        }
    }
}

/// Counts `times` (Unix seconds, local offset `offset` seconds) into `n`
/// buckets of `width` seconds ending with the one holding `now`; labels by
/// `label(bucket start)`.
pub fn bucket(
    times: &[i64],
    now: i64,
    width: i64,
    n: usize,
    offset: i64,
    label: impl Fn(i64) -> String,
) -> Vec<Bar> {
    // Buckets start at local midnight / on the local hour.
    let last_start = (now + offset).div_euclid(width) * width - offset;
    let first_start = last_start - width * (n as i64 - 1);
    let mut counts = vec![0u64; n];
    for &t in times {
        if t >= first_start && t < last_start + width {
            counts[((t - first_start) / width) as usize] += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, value)| Bar {
            label: label(first_start + width * i as i64),
            value,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_fall_into_local_hours_and_days() {
        let hour = 3600;
        let offset = 7 * hour; // Asia/Jakarta
        // 2026-11-30 10:15 local is 03:15 UTC.
        let now = 1_795_999_500; // any time; buckets are relative to it
        let times = [now, now - 10, now - hour, now - 5 * hour, now - 30 * hour];
        let bars = bucket(&times, now, hour, 24, offset, |s| {
            ((s + offset) / hour % 24).to_string()
        });
        assert_eq!(bars.len(), 24);
        assert_eq!(bars[23].value, 2);
        assert_eq!(bars[22].value, 1);
        assert_eq!(bars[18].value, 1);
        assert_eq!(
            bars.iter().map(|b| b.value).sum::<u64>(),
            4,
            "the one 30 h ago is out"
        );
        let local_hour = (now + offset) / hour % 24;
        assert_eq!(bars[23].label, local_hour.to_string());

        let days = bucket(&times, now, 24 * hour, 7, offset, |_| String::new());
        assert_eq!(days.iter().map(|b| b.value).sum::<u64>(), 5);
    }

    #[test]
    fn every_bar_says_its_number_and_labels_are_escaped() {
        let svg = bars(
            "Joins <per hour>",
            &[
                Bar {
                    label: "9".into(),
                    value: 3,
                },
                Bar {
                    label: "<b>".into(),
                    value: 0,
                },
                Bar {
                    label: "11".into(),
                    value: 12,
                },
            ],
            1,
        )
        .into_string();
        assert!(
            svg.contains(">3</text>") && svg.contains(">12</text>"),
            "{svg}"
        );
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains("<title>Joins &lt;per hour&gt;</title>"),
            "{svg}"
        );
    }
}
