//! What the commands print on standard output.
//!
//! `println!` panics when the reader has gone away (`samspor demo | head -1`). A closed pipe
//! means nobody wants the rest, so the command stops quietly, as programs killed by SIGPIPE do;
//! any other write error is reported.

use std::io::{ErrorKind, Write};

/// Writes one line (or several, when `text` holds them) to standard output.
pub fn line(text: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(text)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        stop(&e);
    }
}

/// Writes text as it is, without a line end.
pub fn text(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        stop(&e);
    }
}

fn stop(e: &std::io::Error) -> ! {
    if e.kind() == ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write the output: {e}");
    std::process::exit(1);
}

/// `println!` for command output; see the module.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use say;
