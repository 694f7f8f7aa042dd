//! `anjungan complaint`: the staff's inbox of complaints: list, show one,
//! set its status with a note, erase old contacts.

use anjungan::config::Config;
use anjungan::store::Store;
use anjungan::voice::complaint::{self, Complaint, Reference, Status};
use anyhow::{Context, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// The complaints, newest first (contacts older than [voice] keep_contact_days are erased first).
    List {
        /// Print a JSON array (reference, text, status, channel, created_at, ...).
        #[arg(long)]
        json: bool,
        /// How many at most.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=10000))]
        limit: u16,
        /// Only those with this status: received, in-progress, answered, closed.
        #[arg(long)]
        status: Option<Status>,
    },
    /// One complaint in full, with its history.
    Show {
        /// The reference, as printed (ADU-7K4P-9MXR) or typed in any case, with or without dashes.
        reference: String,
    },
    /// Set a complaint's status; the note is what the citizen sees when they look it up.
    Status {
        reference: String,
        /// received, in-progress, answered or closed.
        status: Status,
        /// The answer or what happens next, shown to the citizen.
        #[arg(long)]
        note: Option<String>,
    },
    /// Erase phone numbers and e-mail addresses older than [voice] keep_contact_days now.
    Purge,
}

pub fn run(command: Command, config: &Config) -> Result<()> {
    let now = chrono::Local::now().fixed_offset();
    match command {
        Command::List {
            json,
            limit,
            status,
        } => {
            let store = Store::open_for(config)?;
            // The inbox never shows a contact kept past its days.
            complaint::purge_contacts(&store, config.voice.keep_contact_days, now)?;
            let all = complaint::list_in(&store, status, limit.into())?;
            if json {
                println!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                println!("No complaints.");
            } else {
                for c in &all {
                    println!(
                        "{}  {}  {:<11}  {:<6}  {:<11}  {}",
                        c.reference,
                        c.created_at,
                        c.status,
                        c.channel,
                        c.category,
                        first_line(&c.text)
                    );
                }
            }
            Ok(())
        }
        Command::Show { reference } => {
            let store = Store::open_for(config)?;
            complaint::purge_contacts(&store, config.voice.keep_contact_days, now)?;
            let r = reference_of(&reference)?;
            let c = complaint::find(&store, &r)?.with_context(|| no_such(&reference))?;
            print_complaint(&c);
            for h in complaint::history(&store, &r)? {
                println!(
                    "  {}  {}  {}",
                    h.at,
                    h.status,
                    h.note.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        Command::Status {
            reference,
            status,
            note,
        } => {
            let mut store = Store::open_for(config)?;
            let r = reference_of(&reference)?;
            let c = complaint::set_status(&mut store, &r, status, note.as_deref(), now)?;
            println!("{} is now {}.", c.reference, c.status);
            Ok(())
        }
        Command::Purge => {
            let store = Store::open_for(config)?;
            let days = config.voice.keep_contact_days;
            let erased = complaint::purge_contacts(&store, days, now)?;
            println!("Erased the contact of {erased} complaints older than {days} days.");
            Ok(())
        }
    }
}

fn reference_of(typed: &str) -> Result<Reference> {
    Reference::parse(typed).with_context(|| no_such(typed))
}

fn no_such(typed: &str) -> String {
    format!(
        "there is no complaint \"{}\"; check the reference (like ADU-7K4P-9MXR), or see them all with `anjungan complaint list`",
        typed.chars().take(40).collect::<String>()
    )
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let short: String = line.chars().take(60).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn print_complaint(c: &Complaint) {
    println!("Reference: {}", c.reference);
    println!("Received:  {} ({})", c.created_at, c.channel);
    println!("Status:    {} (changed {})", c.status, c.updated_at);
    println!("Category:  {}", c.category);
    if let Some(s) = &c.service {
        println!("Service:   {s}");
    }
    println!(
        "Contact:   {}",
        c.contact
            .as_deref()
            .unwrap_or("none (not given, or erased)")
    );
    if let Some(n) = &c.note {
        println!("Note:      {n}");
    }
    println!();
    println!("{}", c.text);
    println!();
}
