//! The report a region publishes: one self-contained HTML page (no outside
//! fonts, scripts or pictures; every text escaped by maud) with its charts
//! drawn here as SVG: the grade on the regulation's scale, the NRR of each
//! element with the weakest first, the IKM per month, the respondents'
//! profile. Every value is also written as text, and the charts use
//! labels and patterns, not colour alone, so the page reads in print and
//! in black and white.

use std::ops::Sub;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::ikm::{Grade, Tally};
use super::profile::{AgeBand, Education, Occupation, Sex};
use super::report::{Counts, Report};
use super::{Channel, Element};
use crate::Lang;

/// What the page says it is about, besides the numbers.
#[derive(Debug, Clone)]
pub struct Heading {
    /// The region (the catalog's), e.g. "Kabupaten Banyumas".
    pub region: String,
    /// The unit or service reported on; `None`: all of them.
    pub subject: Option<String>,
    /// The device that counted, `[device] name`.
    pub device: String,
    /// When the page was made, as people read it.
    pub made: String,
}

/// The whole page.
pub fn page(report: &Report, heading: &Heading, lang: Lang) -> String {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let title = t(
        "Laporan Survei Kepuasan Masyarakat",
        "Community Satisfaction Survey Report",
    );
    let period = match (&report.first_day, &report.last_day) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => t("belum ada jawaban", "no answers yet").to_owned(),
    };
    let asked = match (report.filter.from, report.filter.to) {
        (None, None) => None,
        (from, to) => Some(format!(
            "{} – {}",
            from.map_or("…".into(), |d| d.to_string()),
            to.map_or("…".into(), |d| d.to_string())
        )),
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (heading.region) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.subject {
                        (heading.region)
                        @if let Some(s) = &heading.subject { " · " (s) }
                    }
                    dl.facts {
                        dt { (t("Periode", "Period")) }
                        dd { (asked.as_deref().unwrap_or(&period)) }
                        dt { (t("Jawaban pertama dan terakhir", "First and last answer")) }
                        dd { (period) }
                        dt { (t("Responden", "Respondents")) }
                        dd { (report.total.responses) }
                        @if let Some(c) = report.filter.channel {
                            dt { (t("Saluran", "Channel")) }
                            dd { (channel_name(c, lang)) }
                        }
                        dt { (t("Dihitung oleh", "Counted by")) }
                        dd { (heading.device) ", " (heading.made) }
                    }
                }
                (content(report, lang))
                footer {
                    p { (t(
                        "Dihitung menurut PermenPAN-RB Nomor 14 Tahun 2017: NRR unsur = jumlah nilai unsur ÷ jumlah jawaban unsur itu (jawaban kosong tidak dihitung); IKM = rata-rata NRR sembilan unsur (bobot 1/9) × 25. Mutu: A 88,31–100; B 76,61–88,30; C 65,00–76,60; D 25,00–64,99.",
                        "Computed as PermenPAN-RB 14/2017 prescribes: an element's NRR = the sum of its scores ÷ the answers it has (blanks are not counted); IKM = the mean NRR of the nine elements (weight 1/9) × 25. Grades: A 88.31–100; B 76.61–88.30; C 65.00–76.60; D 25.00–64.99."
                    )) }
                }
            }
        }
    };
    markup.into_string()
}

/// The results of a report, charts and tables, without the page around
/// them: the device's page and the region hub's `/ikm` page both show
/// exactly this (with [`STYLE`]).
pub fn content(report: &Report, lang: Lang) -> Markup {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let ikm = report.ikm();
    html! {
        @match &ikm {
            None => {
                p.none { (t("Belum ada jawaban survei untuk pilihan ini.", "There are no survey answers for this selection yet.")) }
            }
            Some(r) => {
                section.result {
                    div.big {
                        span.label { "IKM" }
                        span.value { (format!("{:.2}", r.ikm)) }
                        span.grade { (t("Mutu", "Grade")) " " (r.grade.letter()) " – " (r.grade.label(lang)) }
                    }
                    (grade_scale(r.ikm, lang))
                    @if !r.complete {
                        p.warn { (t(
                            "Ada unsur tanpa jawaban; IKM dihitung dari unsur yang dijawab.",
                            "Some elements have no answers; the IKM is over the elements answered."
                        )) }
                    }
                }
                @let order = report.weakest_first();
                @if let (weakest, Some(nrr)) = order[0] {
                    section.weakest {
                        h2 { (t("Unsur terlemah", "Weakest element")) }
                        p {
                            strong { "U" (weakest.number()) " " (weakest.name(lang)) }
                            ": NRR " (format!("{nrr:.2}"))
                            " (" (format!("{:.2}", nrr * 25.0)) ")"
                        }
                    }
                }
                section {
                    h2 { (t("Nilai per unsur, terlemah dahulu", "Score per element, weakest first")) }
                    (element_chart(&order, lang))
                    table {
                        thead { tr {
                            th { (t("Unsur", "Element")) }
                            th.n { (t("Jawaban", "Answers")) }
                            th.n { "NRR" }
                            th.n { (t("NRR × 25", "NRR × 25")) }
                        } }
                        tbody {
                            @for e in Element::ALL {
                                tr {
                                    td { "U" (e.number()) " " (e.name(lang)) }
                                    td.n { (report.total.count[e.index()]) }
                                    @match report.total.nrr(e) {
                                        Some(n) => { td.n { (format!("{n:.2}")) } td.n { (format!("{:.2}", n * 25.0)) } }
                                        None => { td.n { "–" } td.n { "–" } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if report.by_month.len() > 1 {
                    section {
                        h2 { (t("IKM per bulan", "IKM per month")) }
                        (trend_chart(report, lang))
                    }
                }
                section {
                    h2 { (t("Per saluran", "Per channel")) }
                    (parts_table(report.by_channel.iter().map(|(c, t)| (channel_name(*c, lang).to_owned(), t)), lang))
                    h2 { (t("Per bulan", "Per month")) }
                    (parts_table(report.by_month.iter().map(|(m, t)| (m.clone(), t)), lang))
                }
                section.profile {
                    h2 { (t("Profil responden", "Respondents' profile")) }
                    (profile_chart(t("Jenis kelamin", "Sex"), &report.profile.sex, &codes(Sex::ALL, |v| (v.code(), v.label(lang))), lang))
                    (profile_chart(t("Umur", "Age"), &report.profile.age, &codes(AgeBand::ALL, |v| (v.code(), v.label(lang))), lang))
                    (profile_chart(t("Pendidikan", "Education"), &report.profile.education, &codes(Education::ALL, |v| (v.code(), v.label(lang))), lang))
                    (profile_chart(t("Pekerjaan", "Occupation"), &report.profile.occupation, &codes(Occupation::ALL, |v| (v.code(), v.label(lang))), lang))
                }
            }
        }
    }
}

/// A code list as (code, words) pairs, in its order.
fn codes<T: Copy>(
    all: &[T],
    pair: impl Fn(T) -> (&'static str, &'static str),
) -> Vec<(&'static str, &'static str)> {
    all.iter().copied().map(pair).collect()
}

fn channel_name(c: Channel, lang: Lang) -> &'static str {
    match c {
        Channel::Kiosk => lang.choose("Anjungan (layar sentuh)", "Kiosk (touchscreen)"),
        Channel::Portal => lang.choose("Halaman Wi-Fi", "Wi-Fi page"),
        Channel::Paper => lang.choose("Formulir kertas", "Paper forms"),
    }
}

/// The scale 25 to 100 in its four bands, labelled, with a marker at `ikm`.
fn grade_scale(ikm: f64, lang: Lang) -> Markup {
    const W: f64 = 600.0;
    let x = |v: f64| (v - 25.0) / 75.0 * W;
    let bands = [
        (25.0, 65.0, Grade::D, "band-d"),
        (65.0, 76.61, Grade::C, "band-c"),
        (76.61, 88.31, Grade::B, "band-b"),
        (88.31, 100.0, Grade::A, "band-a"),
    ];
    let label = format!(
        "IKM {ikm:.2} {}",
        lang.choose("pada skala 25 sampai 100", "on the scale 25 to 100")
    );
    html! {
        svg.scale viewBox="0 -22 600 70" role="img" aria-label=(label) {
            @for (from, to, grade, class) in bands {
                rect class=(class) x=(f1(x(from))) y="0" width=(f1(x(to) - x(from))) height="24" {}
                text x=(f1((x(from) + x(to)) / 2.0)) y="16" text-anchor="middle" { (grade.letter()) }
            }
            @for (v, anchor) in [(25.0, "start"), (65.0, "middle"), (76.61, "middle"), (88.31, "middle"), (100.0, "end")] {
                text.tick x=(f1(x(v))) y="40" text-anchor=(anchor) { (format!("{v:.2}")) }
            }
            path.marker d=(format!("M{0} 0 L{1} -14 L{2} -14 Z", f1(x(ikm)), f1(x(ikm) - 7.0), f1(x(ikm) + 7.0))) {}
            line.marker x1=(f1(x(ikm))) x2=(f1(x(ikm))) y1="0" y2="24" {}
        }
    }
}

/// Horizontal bars of NRR (1 to 4), in the order given, each with its
/// name and value written beside it.
fn element_chart(order: &[(Element, Option<f64>)], lang: Lang) -> Markup {
    const ROW: f64 = 26.0;
    const LEFT: f64 = 230.0;
    const BAR: f64 = 300.0;
    let height = ROW * order.len() as f64 + 24.0;
    html! {
        svg.bars viewBox=(format!("0 0 600 {height}")) role="img" aria-label=(lang.choose("NRR per unsur", "NRR per element")) {
            @for v in [1.0, 2.0, 3.0, 4.0] {
                line.grid x1=(f1(LEFT + (v - 1.0) / 3.0 * BAR)) x2=(f1(LEFT + (v - 1.0) / 3.0 * BAR)) y1="0" y2=(f1(height - 18.0)) {}
                text.tick x=(f1(LEFT + (v - 1.0) / 3.0 * BAR)) y=(f1(height - 4.0)) text-anchor="middle" { (v) }
            }
            @for (i, (e, nrr)) in order.iter().enumerate() {
                @let y = ROW * i as f64;
                text x=(f1(LEFT - 8.0)) y=(f1(y + 17.0)) text-anchor="end" { "U" (e.number()) " " (e.name(lang)) }
                @match nrr {
                    Some(n) => {
                        rect class=(if i == 0 { "bar weakest" } else { "bar" }) x=(f1(LEFT)) y=(f1(y + 4.0)) width=(f1(((n - 1.0) / 3.0 * BAR).max(1.0))) height=(f1(ROW - 8.0)) {}
                        text.value x=(f1(LEFT + (n - 1.0) / 3.0 * BAR + 6.0)) y=(f1(y + 17.0)) { (format!("{n:.2}")) }
                    }
                    None => { text.value x=(f1(LEFT + 6.0)) y=(f1(y + 17.0)) { "–" } }
                }
            }
        }
    }
}

/// IKM per month as points on the 25-100 scale with the grade lines.
fn trend_chart(report: &Report, lang: Lang) -> Markup {
    const LEFT: f64 = 50.0;
    const W: f64 = 530.0;
    const H: f64 = 200.0;
    let months: Vec<(&String, f64)> = report
        .by_month
        .iter()
        .filter_map(|(m, t)| Some((m, t.ikm()?.ikm)))
        .collect();
    let step = W / months.len().max(1) as f64;
    // From a little below the lowest month (at most 60) to 100, so that
    // months close together are told apart and the grade lines show.
    let low = months
        .iter()
        .map(|m| m.1)
        .fold(60.0_f64, f64::min)
        .sub(5.0)
        .max(25.0)
        .floor();
    let y = |v: f64| H - (v - low) / (100.0 - low) * H;
    let points: Vec<String> = months
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{},{}", f1(LEFT + step * (i as f64 + 0.5)), f1(y(*v))))
        .collect();
    html! {
        svg.trend viewBox=(format!("0 -10 600 {}", H + 50.0)) role="img" aria-label=(lang.choose("IKM per bulan", "IKM per month")) {
            @for (v, g) in [(65.0, "C"), (76.61, "B"), (88.31, "A")] {
                line.band x1=(f1(LEFT)) x2=(f1(LEFT + W)) y1=(f1(y(v))) y2=(f1(y(v))) {}
                text.tick x=(f1(LEFT - 4.0)) y=(f1(y(v) + 4.0)) text-anchor="end" { (format!("{v:.2}")) }
                text.tick x=(f1(LEFT + W + 4.0)) y=(f1(y(v) - 4.0)) { (g) "↑" }
            }
            polyline.trend-line points=(points.join(" ")) {}
            @for (i, (m, v)) in months.iter().enumerate() {
                @let cx = LEFT + step * (i as f64 + 0.5);
                circle cx=(f1(cx)) cy=(f1(y(*v))) r="4" {}
                text.value x=(f1(cx)) y=(f1(y(*v) - 8.0)) text-anchor="middle" { (format!("{v:.2}")) }
                text.tick x=(f1(cx)) y=(f1(H + 20.0)) text-anchor="middle" { (m) }
            }
        }
    }
}

fn parts_table<'a>(parts: impl Iterator<Item = (String, &'a Tally)>, lang: Lang) -> Markup {
    html! {
        table {
            thead { tr {
                th { "" }
                th.n { (lang.choose("Responden", "Respondents")) }
                @for e in Element::ALL { th.n title=(e.name(lang)) { "U" (e.number()) } }
                th.n { "IKM" }
                th { (lang.choose("Mutu", "Grade")) }
            } }
            tbody {
                @for (key, t) in parts {
                    tr {
                        td { (key) }
                        td.n { (t.responses) }
                        @for e in Element::ALL {
                            td.n { @match t.nrr(e) { Some(n) => (format!("{n:.2}")), None => "–" } }
                        }
                        @match t.ikm() {
                            Some(r) => { td.n { (format!("{:.2}", r.ikm)) } td { (r.grade.letter()) } }
                            None => { td.n { "–" } td { "–" } }
                        }
                    }
                }
            }
        }
    }
}

/// One part of the profile as labelled bars with counts and shares.
fn profile_chart(
    title: &str,
    counts: &Counts,
    codes: &[(&'static str, &'static str)],
    lang: Lang,
) -> Markup {
    if counts.is_empty() {
        return html! {};
    }
    // In the order of the code list, "not given" last.
    let rows: Vec<(&str, u64)> = codes
        .iter()
        .filter_map(|(code, label)| Some((*label, *counts.get(*code)?)))
        .chain(
            counts
                .get("unknown")
                .map(|n| (lang.choose("Tidak diisi", "Not given"), *n)),
        )
        .collect();
    let total: u64 = counts.values().sum();
    let max = counts.values().copied().max().unwrap_or(1).max(1);
    const ROW: f64 = 22.0;
    let height = ROW * rows.len() as f64 + 4.0;
    html! {
        figure {
            figcaption { (title) }
            svg.bars viewBox=(format!("0 0 600 {height}")) role="img" aria-label=(title) {
                @for (i, (label, n)) in rows.iter().enumerate() {
                    @let y = ROW * i as f64;
                    @let share = if total == 0 { 0.0 } else { *n as f64 * 100.0 / total as f64 };
                    text x="222" y=(f1(y + 15.0)) text-anchor="end" { (label) }
                    rect.bar x="230" y=(f1(y + 3.0)) width=(f1((*n as f64 / max as f64 * 240.0).max(1.0))) height=(f1(ROW - 6.0)) {}
                    text.value x=(f1(236.0 + *n as f64 / max as f64 * 240.0)) y=(f1(y + 15.0)) { (n) " (" (format!("{share:.1}")) "%)" }
                }
            }
        }
    }
}

/// A coordinate with one decimal: enough for a screen, short in the file.
fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// The page's style sheet, for pages that show [`content`].
pub const STYLE: &str = "
body{font-family:system-ui,sans-serif;max-width:52rem;margin:1rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #999}
.subject{font-size:1.1rem;margin-top:0}.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}
.facts dt{font-weight:600}.facts dd{margin:0}
.big{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap;margin:1rem 0}
.big .label{font-weight:600}.big .value{font-size:3rem;font-weight:700}.big .grade{font-size:1.3rem}
.warn,.none{border:2px solid #111;padding:.5rem}
svg{width:100%;height:auto;font-size:13px}svg text{fill:#111}
.band-d{fill:#fff;stroke:#111}.band-c{fill:#ddd;stroke:#111}.band-b{fill:#aaa;stroke:#111}.band-a{fill:#666;stroke:#111}
.band-a+text{fill:#fff}
.marker{fill:#111;stroke:#111;stroke-width:3}
.bar{fill:#555}.bar.weakest{fill:#111;stroke:#111}.grid,.band{stroke:#bbb;stroke-dasharray:4 3}
.trend-line{fill:none;stroke:#111;stroke-width:2}circle{fill:#111}.tick{font-size:11px}.value{font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid #999;padding:.2rem .4rem;text-align:left}.n{text-align:right}
figure{margin:1rem 0}figcaption{font-weight:600}
footer{margin-top:2rem;font-size:.85rem;border-top:1px solid #999}
@media print{body{max-width:none}}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::survey::Answers;

    fn report() -> Report {
        let mut r = Report::default();
        let mut a = [Some(4); 9];
        a[2] = Some(2);
        let mut t = Tally::default();
        t.add(&Answers::new(a).unwrap());
        t.add(&Answers::new([Some(3); 9]).unwrap());
        r.total = t;
        r.by_channel.insert(Channel::Kiosk, t);
        let mut half = Tally::default();
        half.add(&Answers::new(a).unwrap());
        r.by_month.insert("2026-01".into(), half);
        let mut other = Tally::default();
        other.add(&Answers::new([Some(3); 9]).unwrap());
        r.by_month.insert("2026-02".into(), other);
        r.profile.sex.insert("female".into(), 2);
        r.first_day = Some("2026-01-05".into());
        r.last_day = Some("2026-02-20".into());
        r
    }

    fn heading(region: &str) -> Heading {
        Heading {
            region: region.into(),
            subject: None,
            device: "Balai Kota, lobi".into(),
            made: "2026-11-30 10.00".into(),
        }
    }

    #[test]
    fn a_self_contained_page_with_the_weakest_element_first() {
        let page = page(&report(), &heading("Kabupaten Banyumas"), Lang::Id);
        assert!(page.starts_with("<!DOCTYPE html>"));
        for outside in ["src=", "href=", "<script", "url(", "@import"] {
            assert!(!page.contains(outside), "{outside}");
        }
        assert_eq!(
            page.matches("<svg").count(),
            4,
            "scale, elements, trend, the one profile part given"
        );
        let weakest = page.find("Unsur terlemah").unwrap();
        assert!(page[weakest..].contains("U3 Waktu penyelesaian"));
        // In the chart, U3 comes before every other element.
        let chart = &page[page.find("class=\"bars\"").unwrap()..];
        assert!(chart.find("U3 ").unwrap() < chart.find("U1 ").unwrap());
        assert!(page.contains("Perempuan"));
        let ikm = report().ikm().unwrap();
        assert!(page.contains(&format!("{:.2}", ikm.ikm)), "the IKM as text");
    }

    #[test]
    fn text_from_outside_is_escaped() {
        let page = page(&report(), &heading("<script>alert(1)</script>"), Lang::En);
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("Weakest element"));
    }

    #[test]
    fn no_answers_says_so() {
        let page = page(&Report::default(), &heading("Kabupaten Banyumas"), Lang::En);
        assert!(page.contains("no survey answers"));
        assert!(!page.contains("<svg"));
    }
}
