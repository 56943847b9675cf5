//! The one panic guard: runs work under `catch_unwind` with its panics marked as
//! contained, so the panic hook stays quiet for them (the caller reports the failure as
//! an error with the panic's message); any other panic is reported by the default hook as
//! before. Below every other module; `ingest::guard` builds the per-file guards on it.

use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// True while this thread runs guarded work, whose panics are contained and reported.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that stays quiet for contained panics.
fn quiet_contained_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(|c| c.get()) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` on this thread; a panic becomes `Err` with its message (at most 200
/// characters).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    quiet_contained_panics();
    let was = CONTAINED.with(|c| c.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(was));
    outcome.map_err(|panic| panic_message(&panic))
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_becomes_its_message_and_a_value_passes() {
        assert_eq!(super::catch(|| 7), Ok(7));
        let err = super::catch(|| -> i32 { panic!("index {} out of range", 9) }).unwrap_err();
        assert_eq!(err, "index 9 out of range");
    }
}
