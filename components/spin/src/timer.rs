//! A sleep future on WASI's monotonic clock, driven by spin-executor's poll loop; used to put a
//! deadline on outbound requests.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use spin_executor::{push_waker_and_get_token, CancelOnDropToken};
use wasi::clocks::monotonic_clock;

pub struct Sleep {
    deadline: u64,
    registration: Option<CancelOnDropToken>,
}

pub fn sleep(duration: Duration) -> Sleep {
    let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    Sleep { deadline: monotonic_clock::now().saturating_add(nanos), registration: None }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if monotonic_clock::now() >= self.deadline {
            return Poll::Ready(());
        }
        // Replacing the token cancels the previous registration, so at most one is pending.
        let pollable = monotonic_clock::subscribe_instant(self.deadline);
        self.registration = Some(push_waker_and_get_token(pollable, cx.waker().clone()).into());
        Poll::Pending
    }
}
