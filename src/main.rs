//! The `xinfang` binary: parses the command line and hands over to `cli::run`.

use clap::Parser;

fn main() {
    limit_openmp();
    private_files();
    let cli = xinfang::cli::Cli::parse();
    std::process::exit(xinfang::cli::run(cli));
}

/// Debian's libtesseract is built with OpenMP. Its parallel sections are small, and with
/// more than one OpenMP thread a page took 5 s instead of 1.5 s on our 2-core machines
/// (measured, see BENCHMARKS.md); our workers already use every core. libgomp reads
/// `OMP_THREAD_LIMIT` once, when it is loaded, before `main` runs, so setting the variable
/// here would be too late: the program starts itself again with it set. A user who sets
/// the variable keeps their value.
fn limit_openmp() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    if let Ok(exe) = std::env::current_exe() {
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("OMP_THREAD_LIMIT", "1")
            .exec();
        // exec returns only on failure; go on with OpenMP as it is.
        eprintln!("xinfang: could not restart with OMP_THREAD_LIMIT=1 ({err}); OCR may be slower");
    }
}

/// Everything xinfang makes (the register, originals, filing copies, documents, logs)
/// holds personal data: folders 0700 and files 0600, whatever the caller's umask was.
fn private_files() {
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}
