//! Secrets on the command line are visible to every user of the machine (`ps`, /proc), so each
//! secret option can also come from its environment variable (clap's `env`), from standard input
//! (`--...-stdin`, for scripts and secret managers), or from a prompt that does not echo when a
//! person runs the command at a terminal.

use anyhow::{bail, Context as _};
use std::io::{BufRead as _, IsTerminal as _};

/// How a command wants a secret that was not given on the command line or in the environment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WhenMissing {
    /// Ask at a terminal; otherwise none.
    Prompt,
    /// None (the command has a default, such as the vault's forwarding secret).
    Nothing,
}

/// The secret from `value` (the flag or its environment variable) or, with `from_stdin`, the
/// first line of standard input; else, when `missing` says so and a person is at a terminal, a
/// prompt naming `flag`.
pub fn read(
    value: Option<String>,
    from_stdin: bool,
    flag: &str,
    missing: WhenMissing,
) -> anyhow::Result<Option<String>> {
    if from_stdin {
        if value.is_some() {
            bail!("{flag} was given twice: on the command line (or in the environment) and on standard input; give it once");
        }
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .with_context(|| format!("reading {flag} from standard input"))?;
        let secret = line.trim_end_matches(['\r', '\n']).to_owned();
        if secret.is_empty() {
            bail!("standard input held no {flag} (one line is read)");
        }
        return Ok(Some(secret));
    }
    if value.is_some() || missing == WhenMissing::Nothing {
        return Ok(value);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Ok(None);
    }
    let secret = rpassword::prompt_password(format!("{flag} (not echoed): "))
        .with_context(|| format!("reading {flag} at the terminal"))?;
    Ok(Some(secret).filter(|secret| !secret.is_empty()))
}
