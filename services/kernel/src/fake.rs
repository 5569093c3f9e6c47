//! The one fake every service test uses for a client capability (feature `fakes`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A recorded, scripted capability: each call is recorded and pops the next scripted answer.
/// An unscripted call panics, so a test fails when a client that must not be called is called.
///
/// A domain implements its client trait for `Fake<Arguments, Answer>` in a line that forwards
/// to [`Fake::call`]; the test then asserts [`Fake::calls`].
pub struct Fake<A, R> {
    calls: Mutex<Vec<A>>,
    answers: Mutex<VecDeque<R>>,
}

impl<A: Clone, R> Fake<A, R> {
    pub fn answering(answers: impl IntoIterator<Item = R>) -> Arc<Self> {
        Arc::new(Self {
            calls: Mutex::new(Vec::new()),
            answers: Mutex::new(answers.into_iter().collect()),
        })
    }

    pub fn never() -> Arc<Self> {
        Self::answering([])
    }

    /// Records `arguments` and returns the next scripted answer.
    ///
    /// # Panics
    /// When no answer is left: the test made a call it did not script.
    #[allow(clippy::panic, reason = "a fake fails its test on an unscripted call")]
    pub fn call(&self, arguments: A) -> R {
        locked(&self.calls).push(arguments);
        locked(&self.answers)
            .pop_front()
            .unwrap_or_else(|| panic!("a call the test did not script"))
    }

    pub fn calls(&self) -> Vec<A> {
        locked(&self.calls).clone()
    }
}

/// A poisoned lock only means another test thread panicked; its data is still what it recorded.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
