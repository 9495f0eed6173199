//! The `paperstand` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    paperstand::cli::main()
}
