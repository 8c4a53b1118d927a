//! The emulator's HTTP transport: hyper's HTTP/1 server on a small tokio runtime that runs on a
//! thread of its own, with every limit a hostile local peer could otherwise exploit.
//!
//! Invariants:
//! - At most [`MAX_CONNECTIONS`] connections are open: a newcomer at the cap closes the oldest
//!   connection that has not sent a request yet (so idle connections cannot lock clients out);
//!   when none can be closed, newcomers wait in the kernel's backlog once [`HARD_CAP`] are open
//!   (no descriptor is spent on them). Running out of descriptors anyway only pauses accepting.
//! - A request head must arrive within [`HEADER_TIMEOUT`] (also between kept-alive requests) and
//!   fit in [`MAX_HEAD`] bytes (hyper answers 431/414/400 otherwise); a body is read only up to
//!   [`MAX_BODY`] bytes and within [`BODY_TIMEOUT`] (413/408 otherwise; a larger declared
//!   `Content-Length` is refused before anything is read). `Expect: 100-continue` is answered by
//!   hyper when the body is read.
//! - No connection lives longer than [`CONNECTION_LIFETIME`] plus a short grace (this bounds a
//!   peer that pipelines requests and never reads the answers).
//! - Handlers run on tokio's blocking pool (at most [`MAX_HANDLERS`] at once); a handler that
//!   fails answers 500, and header values that HTTP cannot carry are %-encoded, never a panic.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify, OwnedSemaphorePermit, Semaphore};

use crate::{Incoming, Reply, State};

/// Connections open at once before idle ones are closed for newcomers.
pub const MAX_CONNECTIONS: usize = 512;
/// Connections open at once, counting those just closed whose task has not ended yet.
pub const HARD_CAP: usize = MAX_CONNECTIONS + 64;
/// Handlers running at once.
pub const MAX_HANDLERS: usize = 64;
/// The time for a request head to arrive.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The request head's size limit.
pub const MAX_HEAD: usize = 16 * 1024;
/// The request body's size limit (token, revoke and introspect forms are far smaller).
pub const MAX_BODY: usize = 256 * 1024;
/// The time for a request body to arrive.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a connection is kept; then it is closed after its current request.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);
const GRACE: Duration = Duration::from_secs(5);

/// A running transport; dropping it stops the server and frees the port.
pub(crate) struct Server {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` until dropped.
    pub(crate) fn start(listener: StdListener, state: Arc<Mutex<State>>) -> std::io::Result<Server> {
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .max_blocking_threads(MAX_HANDLERS)
            .thread_name("emulator-handler")
            .build()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("emulator".into()).spawn(move || {
            runtime.block_on(async move {
                if let Ok(listener) = TcpListener::from_std(listener) {
                    tokio::spawn(accept_loop(listener, state));
                    let _ = stopped.await;
                }
            });
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
        Ok(Server { shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// Blocks until the server thread ends (it ends only when the server is dropped).
    pub(crate) fn join(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        self.join();
    }
}

/// Open connections that have not sent a request yet, oldest first, with their eviction signal.
#[derive(Default)]
struct Idle {
    next_id: AtomicU64,
    queue: Mutex<VecDeque<(u64, Arc<Notify>)>>,
}

impl Idle {
    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<(u64, Arc<Notify>)>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn remove(&self, id: u64) {
        self.queue().retain(|(i, _)| *i != id);
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>) {
    let slots = Arc::new(Semaphore::new(HARD_CAP));
    let idle = Arc::new(Idle::default());
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else { return };
        match listener.accept().await {
            Ok((stream, _)) => {
                if HARD_CAP - slots.available_permits() > MAX_CONNECTIONS {
                    let oldest = idle.queue().pop_front();
                    if let Some((_, evict)) = oldest {
                        evict.notify_one();
                    }
                }
                let id = idle.next_id.fetch_add(1, Ordering::Relaxed);
                let evict = Arc::new(Notify::new());
                idle.queue().push_back((id, evict.clone()));
                tokio::spawn(connection(stream, state.clone(), permit, (idle.clone(), id, evict)));
            }
            // Out of descriptors (or another accept error): pause instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Serves one connection until it ends, is evicted while idle, or outlives its lifetime.
async fn connection(
    stream: TcpStream,
    state: Arc<Mutex<State>>,
    permit: OwnedSemaphorePermit,
    (idle, id, evict): (Arc<Idle>, u64, Arc<Notify>),
) {
    let _ = stream.set_nodelay(true);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT).max_buf_size(MAX_HEAD);
    let used = Arc::new(AtomicBool::new(false));
    let service = {
        let (idle, used) = (idle.clone(), used.clone());
        hyper::service::service_fn(move |req| {
            if !used.swap(true, Ordering::Relaxed) {
                idle.remove(id);
            }
            respond(state.clone(), req)
        })
    };
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let mut evicted = std::pin::pin!(evict.notified());
    let served = std::future::poll_fn(|cx| {
        if evicted.as_mut().poll(cx).is_ready() && !used.load(Ordering::Relaxed) {
            return Poll::Ready(());
        }
        conn.as_mut().poll(cx).map(|_| ())
    });
    if tokio::time::timeout(CONNECTION_LIFETIME, served).await.is_err() {
        conn.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(GRACE, conn).await;
    }
    idle.remove(id);
    drop(permit);
}

/// Reads the request (body bounded in size and time), runs the handler, converts its reply.
async fn respond(state: Arc<Mutex<State>>, req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Ok(plain(413, "request body too large"));
    }
    let body = match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await {
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return Ok(plain(413, "request body too large")),
        Ok(Err(_)) => return Ok(plain(400, "the request body broke off")),
        Err(_) => return Ok(plain(408, "the request body did not arrive in time")),
    };
    let incoming = Incoming {
        method: parts.method.as_str().to_string(),
        target: parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
        authorization: parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string),
        body,
    };
    match tokio::task::spawn_blocking(move || crate::handle(&state, incoming)).await {
        Ok(reply) => Ok(to_response(reply)),
        Err(_) => Ok(plain(500, "the emulator failed on this request")),
    }
}

fn plain(status: u16, text: &str) -> Response<Full<Bytes>> {
    to_response(Reply::new(status, Some("text/plain;charset=UTF-8"), text))
}

/// A handler's reply as an HTTP response; an unusable status becomes 500, an unusable header
/// value is %-encoded, an unusable header name is dropped.
fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &reply.headers {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else { continue };
        let visible = value.bytes().all(|b| (0x20..0x7f).contains(&b));
        let value = if visible { HeaderValue::from_str(value) } else { HeaderValue::from_str(&encode(value)) };
        if let Ok(value) = value {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// %-encodes every byte outside visible ASCII and space.
fn encode(value: &str) -> String {
    value.bytes().map(|b| if (0x20..0x7f).contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_http_cannot_carry_are_encoded() {
        let r = to_response(Reply::new(302, None, Vec::new()).with_header("Location", "http://localhost:1/cällback?x=\r\n1"));
        assert_eq!(r.headers()["location"], "http://localhost:1/c%C3%A4llback?x=%0D%0A1");
        let r = to_response(Reply::new(1000, None, Vec::new()).with_header("bad name", "x"));
        assert_eq!(r.status(), 500);
        assert!(r.headers().is_empty());
    }
}
