//! `anjungan survey`: the satisfaction survey's report (a table, JSON, CSV
//! or the HTML page a region publishes) and the import of paper forms.

use std::io::Write;
use std::path::PathBuf;

use anjungan::Lang;
use anjungan::catalog;
use anjungan::config::Config;
use anjungan::store::Store;
use anjungan::voice::survey::html::{self, Heading};
use anjungan::voice::survey::import;
use anjungan::voice::survey::report::{self, Filter, Report, Summary};
use anjungan::voice::{Channel, survey::Element};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;

use crate::write_atomically;

#[derive(Subcommand)]
pub enum Command {
    /// The IKM (PermenPAN-RB 14/2017) of the answers selected: all without options.
    #[command(
        long_about = "The IKM (PermenPAN-RB 14/2017) of the answers selected: all without options.\n\n\
            The semester report with one command:\n  \
            anjungan survey report --semester 2026-1 --html laporan-skm-2026-1.html"
    )]
    Report(ReportArgs),
    /// Add answers typed in from paper forms: columns u1..u9 (1 to 4, blank = not answered), optional service, date, sex, age, education, occupation.
    Import {
        /// The CSV file (commas or semicolons).
        file: PathBuf,
        /// Import a file that was imported before (it is refused by default, so nothing counts twice).
        #[arg(long)]
        again: bool,
    },
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD), inclusive.
    #[arg(long, value_parser = day)]
    from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD), inclusive.
    #[arg(long, value_parser = day)]
    to: Option<NaiveDate>,
    /// A half year: 2026-1 is January to June, 2026-2 July to December.
    #[arg(long, conflicts_with_all = ["from", "to"], value_parser = semester)]
    semester: Option<(NaiveDate, NaiveDate)>,
    /// Only answers about this service (its catalog id).
    #[arg(long, conflicts_with = "unit")]
    service: Option<String>,
    /// Only answers about the services of this unit (the catalog's office id).
    #[arg(long)]
    unit: Option<String>,
    /// Only answers from kiosk, portal or paper.
    #[arg(long)]
    channel: Option<Channel>,
    /// Language of names and the page.
    #[arg(long, default_value_t = Lang::Id)]
    lang: Lang,
    /// Print JSON: responses, elements [{element, nrr}], ikm, grade, and more.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV: one row for all, each channel and each month, with the NRR of u1..u9.
    #[arg(long)]
    csv: bool,
    /// Also write the report as a self-contained HTML page to publish.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

fn day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("\"{s}\" is not a day; write it as 2026-07-31"))
}

fn semester(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let bad = || {
        format!(
            "\"{s}\" is not a semester; write 2026-1 (January to June) or 2026-2 (July to December)"
        )
    };
    let (year, half) = s.split_once('-').ok_or_else(bad)?;
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(bad)?;
    let (from, to) = match half {
        "1" => ((1, 1), (6, 30)),
        "2" => ((7, 1), (12, 31)),
        _ => return Err(bad()),
    };
    let day = |(m, d)| NaiveDate::from_ymd_opt(year, m, d).expect("a real day");
    Ok((day(from), day(to)))
}

pub fn run(command: Command, config: &Config) -> Result<()> {
    match command {
        Command::Import { file, again } => {
            let mut store = Store::open_for(config)?;
            let meta = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {}; check the path", file.display()))?;
            if meta.len() > import::MAX_BYTES as u64 {
                bail!(
                    "{} is larger than {} MiB; split it into smaller files",
                    file.display(),
                    import::MAX_BYTES >> 20
                );
            }
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let now = chrono::Local::now().fixed_offset();
            let done = import::import(&mut store, &bytes, &file.display().to_string(), again, now)?;
            match (done.first_day, done.last_day) {
                (Some(a), Some(b)) => {
                    println!("Imported {} paper answers, answered {a} to {b}.", done.rows)
                }
                _ => println!("The file has no answers; nothing was imported."),
            }
            Ok(())
        }
        Command::Report(args) => report_command(args, config),
    }
}

fn report_command(args: ReportArgs, config: &Config) -> Result<()> {
    let store = Store::open_for(config)?;
    let catalog = catalog::load(&store)?;
    let lang = args.lang;
    let (from, to) = match args.semester {
        Some((a, b)) => (Some(a), Some(b)),
        None => (args.from, args.to),
    };
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        bail!("--from {a} is after --to {b}; give the earlier day first");
    }
    let (services, subject) = match (&args.service, &args.unit) {
        (Some(id), _) => {
            // An id the catalog no longer has may still have answers.
            let name = catalog
                .service(id)
                .map_or_else(|| id.clone(), |s| s.name.get(lang.code()).to_owned());
            (Some(vec![id.clone()]), Some(name))
        }
        (None, Some(unit)) => {
            let office = catalog.office(unit).with_context(|| {
                format!("there is no unit (office) \"{unit}\" in the catalog; see the offices with `anjungan catalog export`")
            })?;
            (
                Some(report::services_of_unit(&catalog, unit)),
                Some(office.name.get(lang.code()).to_owned()),
            )
        }
        (None, None) => (None, None),
    };
    let filter = Filter {
        from,
        to,
        services,
        channel: args.channel,
    };
    let report = report::count(&store, &filter)?;
    if let Some(path) = &args.html {
        let heading = Heading {
            region: catalog.bundle().region.name.clone(),
            subject: subject.clone(),
            device: config.device.name.clone(),
            made: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
        };
        write_atomically(path, html::page(&report, &heading, lang).as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    let summary = report.summary(lang);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else if args.csv {
        write_csv(&mut out, &report)?;
    } else {
        write_table(&mut out, &summary, subject.as_deref(), lang)?;
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, report: &Report) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["scope".to_owned(), "responses".into()];
    header.extend(Element::ALL.iter().map(|e| format!("nrr_u{}", e.number())));
    header.extend(["ikm".into(), "grade".into()]);
    w.write_record(&header)?;
    let mut row = |scope: String, t: &anjungan::voice::survey::Tally| -> Result<()> {
        let r = t.ikm();
        let mut rec = vec![scope, t.responses.to_string()];
        rec.extend(
            Element::ALL
                .iter()
                .map(|e| t.nrr(*e).map_or(String::new(), |n| format!("{n:.2}"))),
        );
        rec.push(
            r.as_ref()
                .map_or(String::new(), |r| format!("{:.2}", r.ikm)),
        );
        rec.push(
            r.as_ref()
                .map_or(String::new(), |r| r.grade.letter().into()),
        );
        w.write_record(&rec)?;
        Ok(())
    };
    row("all".into(), &report.total)?;
    for (c, t) in &report.by_channel {
        row(format!("channel:{c}"), t)?;
    }
    for (m, t) in &report.by_month {
        row(format!("month:{m}"), t)?;
    }
    w.flush()?;
    Ok(())
}

fn write_table(out: &mut impl Write, s: &Summary, subject: Option<&str>, lang: Lang) -> Result<()> {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    writeln!(
        out,
        "{} (PermenPAN-RB 14/2017)",
        t("Indeks Kepuasan Masyarakat", "Community Satisfaction Index")
    )?;
    if let Some(subject) = subject {
        writeln!(out, "{subject}")?;
    }
    let from = s
        .filter
        .from
        .map(|d| d.to_string())
        .or(s.period.first_day.clone());
    let to = s
        .filter
        .to
        .map(|d| d.to_string())
        .or(s.period.last_day.clone());
    if let (Some(a), Some(b)) = (from, to) {
        writeln!(out, "{}: {a} .. {b}", t("Periode", "Period"))?;
    }
    if let Some(c) = s.filter.channel {
        writeln!(out, "{}: {c}", t("Saluran", "Channel"))?;
    }
    writeln!(out, "{}: {}", t("Responden", "Respondents"), s.responses)?;
    if s.ikm.is_none() {
        writeln!(
            out,
            "{}",
            t(
                "Belum ada jawaban untuk pilihan ini.",
                "No answers for this selection yet."
            )
        )?;
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<4}{:<28}{:>9}{:>7}",
        "",
        t("Unsur", "Element"),
        t("Jawaban", "Answers"),
        "NRR"
    )?;
    for e in &s.elements {
        let nrr = e.nrr.map_or("-".into(), |n| format!("{n:.2}"));
        writeln!(
            out,
            "U{:<3}{:<28}{:>9}{:>7}",
            e.element, e.name, e.answers, nrr
        )?;
    }
    writeln!(out)?;
    if let (Some(ikm), Some(grade), Some(label)) = (s.ikm, s.grade, s.grade_label) {
        writeln!(
            out,
            "IKM {ikm:.2}  {} {grade} ({label})",
            t("mutu", "grade")
        )?;
    }
    if let Some(w) = &s.weakest {
        writeln!(
            out,
            "{}: U{} {} (NRR {:.2})",
            t("Unsur terlemah", "Weakest element"),
            w.element,
            w.name,
            w.nrr.unwrap_or_default()
        )?;
    }
    if !s.complete {
        writeln!(
            out,
            "{}",
            t(
                "Ada unsur tanpa jawaban: IKM dihitung dari unsur yang dijawab.",
                "Some elements have no answers: the IKM is over the elements answered."
            )
        )?;
    }
    for p in &s.channels {
        writeln!(
            out,
            "  {:<8}{:>8} {}  IKM {}",
            p.key,
            p.responses,
            t("responden", "respondents"),
            p.ikm
                .map_or("-".into(), |v| format!("{v:.2} {}", p.grade.unwrap_or("-")))
        )?;
    }
    Ok(())
}
