//! The `xinfang` binary: parses the command line and hands over to `cli::run`.

use clap::Parser;

fn main() {
    // Tesseract parallelises a page with OpenMP; our workers already use every core, and
    // the two fight. One thread per handle unless the user says otherwise.
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        std::env::set_var("OMP_THREAD_LIMIT", "1");
    }
    let cli = xinfang::cli::Cli::parse();
    std::process::exit(xinfang::cli::run(cli));
}
