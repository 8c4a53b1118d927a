//! The login listener's own small HTTP/1 server, built on `std::net` and bounded in every
//! dimension a local peer controls.
//!
//! Invariants:
//! - The login thread never touches a socket: one thread per accepted connection reads the request
//!   head and writes the answer; the login thread only receives [`Request`]s from a channel and
//!   hands back a [`Response`] (a channel send, which never blocks).
//! - At most [`MAX_CONNECTIONS`] connections are open. When a new one arrives at the cap, the
//!   oldest idle connection is closed to make room (so idle connections cannot lock the browser
//!   out). A connection is idle only once its own thread has read everything that had arrived
//!   and found no complete request head in it: a browser that sent its request with the connect
//!   is never taken for an idle one, however late a busy machine runs its thread.
//! - Open connections (counted until their thread ends, closed or not) never exceed
//!   [`HARD_CAP`], far below the usual fd limit of 1024. At the hard cap a newcomer waits, at
//!   most [`ADMIT_WAIT`], for a slot to free (closed connections free theirs as soon as their
//!   thread runs) and is only closed when none does; meanwhile accepting pauses and newer
//!   connections wait in the kernel's backlog. Running out of descriptors only pauses accepting.
//! - A request head must arrive complete within [`HEAD_DEADLINE`] (a total deadline, not per
//!   read), its request line within [`MAX_LINE`] bytes and the whole head within [`MAX_HEAD`];
//!   otherwise the connection is answered 408/414/431/400 or just closed.
//! - Request bodies are never read and never waited for (`Expect: 100-continue` gets the final
//!   answer at once); one request per connection, every answer says `Connection: close`.
//! - Writes have a timeout; after answering, unread input is drained for a bounded time and size
//!   so that the answer is not lost to a reset.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Connections open at once before the oldest idle one is closed for a newcomer.
pub const MAX_CONNECTIONS: usize = 64;
/// Connections open at once, counting those just closed whose thread has not ended yet.
pub const HARD_CAP: usize = 2 * MAX_CONNECTIONS;
/// The request line's size limit (method, target, version).
pub const MAX_LINE: usize = 8 * 1024;
/// The whole request head's size limit.
pub const MAX_HEAD: usize = 16 * 1024;
/// The time a connection has to deliver its complete request head.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// How long a newcomer at [`HARD_CAP`] waits for a slot before it is closed.
pub const ADMIT_WAIT: Duration = Duration::from_secs(5);
/// The time one write of an answer may take.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection waits for the login to decide its answer.
const REPLY_WAIT: Duration = Duration::from_secs(300);
/// After answering: how long and how much unread input is drained before closing.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 256 * 1024;
/// A connection thread needs little stack (its buffers live on the heap).
const STACK: usize = 128 * 1024;

/// A request method, as far as the listener cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Options,
    Post,
    Other,
}

impl Method {
    fn parse(s: &str) -> Method {
        match s {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "OPTIONS" => Method::Options,
            "POST" => Method::Post,
            _ => Method::Other,
        }
    }
}

/// An answer: status, headers and a small body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: Vec::new() }
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }
}

/// A complete request head, handed to the login thread.
#[derive(Debug)]
pub struct Request {
    method: Method,
    target: String,
    reply: Sender<(Response, Option<Sender<()>>)>,
}

impl Request {
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The request target as sent (path and query).
    pub fn url(&self) -> &str {
        &self.target
    }
    /// Answers the request; never blocks (the connection's own thread writes it).
    pub fn respond(self, response: Response) {
        let _ = self.reply.send((response, None));
    }
    /// Answers the request and waits at most `within` until the answer is written (for the last
    /// answer before the process exits).
    pub fn respond_flushed(self, response: Response, within: Duration) {
        let (done, written) = mpsc::channel();
        if self.reply.send((response, Some(done))).is_ok() {
            let _ = written.recv_timeout(within);
        }
    }
}

/// What a request head is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// Complete: the method and the target.
    Complete(Method, String),
    /// More bytes are needed.
    Partial,
    /// Refused with this status (400, 414, 431, 505).
    Refused(u16),
}

/// Parses the start of what a client sent (bytes past the head are ignored, never needed).
pub fn parse_head(buf: &[u8]) -> Head {
    let start = buf.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(buf.len());
    let buf = &buf[start..];
    let Some(line_end) = buf.iter().position(|&b| b == b'\n') else {
        return if buf.len() > MAX_LINE { Head::Refused(414) } else { Head::Partial };
    };
    if line_end > MAX_LINE {
        return Head::Refused(414);
    }
    let lf = buf.windows(2).position(|w| w == b"\n\n");
    let crlf = buf.windows(3).position(|w| w == b"\n\r\n");
    let end = lf.into_iter().chain(crlf).min();
    if end.is_none_or(|e| e > MAX_HEAD) {
        return if buf.len() > MAX_HEAD { Head::Refused(431) } else { Head::Partial };
    }
    let line = buf[..line_end].strip_suffix(b"\r").unwrap_or(&buf[..line_end]);
    let Ok(line) = std::str::from_utf8(line) else { return Head::Refused(400) };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Head::Refused(400);
    };
    if !version.starts_with("HTTP/1.") {
        return Head::Refused(505);
    }
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token(method) || target.is_empty() || target.chars().any(char::is_control) {
        return Head::Refused(400);
    }
    Head::Complete(Method::parse(method), target.to_string())
}

/// The state the accept threads and the connection threads share.
struct Shared {
    stop: AtomicBool,
    /// Open connections; changed only under the `idle` lock, so that `freed` is never missed.
    open: AtomicUsize,
    next_id: AtomicU64,
    /// Connections that may be closed to make room, oldest first.
    idle: Mutex<VecDeque<(u64, Arc<TcpStream>)>>,
    /// Signalled when a connection's thread ends or it becomes idle (and when the server stops).
    freed: Condvar,
}

type Idle<'a> = MutexGuard<'a, VecDeque<(u64, Arc<TcpStream>)>>;

impl Shared {
    fn idle(&self) -> Idle<'_> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// Makes the connection closable for a newcomer; `false` once the server has stopped.
    fn idle_now(&self, id: u64, stream: &Arc<TcpStream>) -> bool {
        let mut idle = self.idle();
        // Checked under the lock that `Server::drop` drains under: no stream escapes the drain.
        if self.stop.load(Ordering::SeqCst) {
            return false;
        }
        idle.push_back((id, stream.clone()));
        drop(idle);
        self.freed.notify_all(); // a newcomer waiting at the hard cap may close it now
        true
    }
    fn not_idle(&self, id: u64) {
        self.idle().retain(|(i, _)| *i != id);
    }
}

/// Closes the oldest idle connection, if any (its thread then ends and frees its slot).
fn close_oldest(idle: &mut Idle<'_>) {
    if let Some((_, s)) = idle.pop_front() {
        let _ = s.shutdown(Shutdown::Both);
    }
}

/// Counts a connection as open until its thread ends (or is never started).
struct Slot {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut idle = self.shared.idle();
        idle.retain(|(i, _)| *i != self.id);
        self.shared.open.fetch_sub(1, Ordering::SeqCst);
        drop(idle);
        self.shared.freed.notify_all();
    }
}

/// A running server; dropping it stops accepting and frees the ports.
pub struct Server {
    shared: Arc<Shared>,
    addrs: Vec<SocketAddr>,
    stopped: Receiver<()>,
}

/// Serves `listeners`; complete requests arrive on the returned channel.
pub fn serve(listeners: Vec<TcpListener>) -> (Server, Receiver<Request>) {
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        open: AtomicUsize::new(0),
        next_id: AtomicU64::new(0),
        idle: Mutex::new(VecDeque::new()),
        freed: Condvar::new(),
    });
    let (tx, rx) = mpsc::channel();
    let (stopped_tx, stopped) = mpsc::channel();
    let mut addrs = Vec::new();
    for listener in listeners {
        addrs.extend(listener.local_addr().ok());
        let (shared, tx, stopped_tx) = (shared.clone(), tx.clone(), stopped_tx.clone());
        let started = std::thread::Builder::new().name("loopback-accept".into()).spawn(move || {
            accept_loop(&listener, &shared, &tx);
            drop(listener);
            let _ = stopped_tx.send(());
        });
        if started.is_err() {
            addrs.pop();
        }
    }
    (Server { shared, addrs, stopped }, rx)
}

impl Drop for Server {
    fn drop(&mut self) {
        {
            // Under the lock, so that a newcomer waiting at the hard cap cannot miss it.
            let _idle = self.shared.idle();
            self.shared.stop.store(true, Ordering::SeqCst);
        }
        self.shared.freed.notify_all();
        // Wake each accept thread with a connection of our own, then wait (bounded) until it has
        // closed its listening socket, so that the port is free when this returns.
        for addr in &self.addrs {
            let _ = TcpStream::connect_timeout(addr, Duration::from_millis(200));
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        for _ in &self.addrs {
            let left = deadline.saturating_duration_since(Instant::now());
            if self.stopped.recv_timeout(left).is_err() {
                break;
            }
        }
        for (_, s) in self.shared.idle().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, tx: &Sender<Request>) {
    loop {
        let accepted = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        match accepted {
            Ok((stream, _)) => admit(stream, shared, tx),
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionAborted | ErrorKind::Interrupted) => {}
            // Out of descriptors or memory: pause instead of spinning; connections wait in the
            // kernel's backlog meanwhile.
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Admits a connection within the caps and starts its thread.
fn admit(stream: TcpStream, shared: &Arc<Shared>, tx: &Sender<Request>) {
    let mut idle = shared.idle();
    if shared.open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
        close_oldest(&mut idle);
    }
    // Closed connections free their slots only when their threads run, which on a busy machine
    // can lag behind accepting: wait for that (bounded) rather than turn the newcomer away.
    let deadline = Instant::now() + ADMIT_WAIT;
    while shared.open.load(Ordering::SeqCst) >= HARD_CAP {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || shared.stop.load(Ordering::SeqCst) {
            return; // dropping the stream closes it
        }
        idle = shared.freed.wait_timeout(idle, left).unwrap_or_else(|p| p.into_inner()).0;
        if shared.open.load(Ordering::SeqCst) >= HARD_CAP {
            close_oldest(&mut idle); // one that has become idle meanwhile
        }
    }
    shared.open.fetch_add(1, Ordering::SeqCst);
    drop(idle);
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let stream = Arc::new(stream);
    let slot = Slot { shared: shared.clone(), id };
    let tx = tx.clone();
    // If the thread cannot start, the closure (and with it the slot and the stream) is dropped.
    let _ = std::thread::Builder::new().name("loopback-conn".into()).stack_size(STACK).spawn(move || {
        connection(&stream, &slot, &tx);
        drop(slot);
    });
}

/// Serves one connection: one request head, one answer, close.
fn connection(stream: &Arc<TcpStream>, slot: &Slot, tx: &Sender<Request>) {
    let _ = stream.set_nodelay(true);
    let deadline = Instant::now() + HEAD_DEADLINE;
    let mut buf = Vec::with_capacity(1024);
    let head = match read_ready(stream, &mut buf) {
        Some(Head::Partial) if slot.shared.idle_now(slot.id, stream) => read_head(stream, buf, deadline),
        Some(Head::Partial) => None,
        done => done,
    };
    slot.shared.not_idle(slot.id);
    let (method, (response, done)) = match head {
        Some(Head::Complete(method, target)) => {
            let (reply, answer) = mpsc::channel();
            if tx.send(Request { method, target, reply }).is_err() {
                return;
            }
            match answer.recv_timeout(REPLY_WAIT) {
                Ok(r) => (method, r),
                Err(_) => return,
            }
        }
        Some(Head::Refused(status)) => (Method::Other, (Response::new(status), None)),
        Some(Head::Partial) => (Method::Other, (Response::new(408), None)),
        None => return,
    };
    let written = write_response(stream, &response, method == Method::Head);
    if let Some(done) = done {
        let _ = done.send(());
    }
    if written.is_ok() {
        linger(stream);
    }
}

/// Reads, without waiting, what has arrived into `buf`: the head if it is complete or refused
/// already, else `Partial`. `None`: the peer closed or the connection broke.
fn read_ready(mut stream: &TcpStream, buf: &mut Vec<u8>) -> Option<Head> {
    stream.set_nonblocking(true).ok()?;
    let mut chunk = [0u8; 4096];
    let head = loop {
        match stream.read(&mut chunk) {
            Ok(0) => break None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => break Some(Head::Partial),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break None,
        }
        // Ends at the latest when the head is refused for its size.
        match parse_head(buf) {
            Head::Partial => {}
            done => break Some(done),
        }
    };
    stream.set_nonblocking(false).ok()?;
    head
}

/// Reads on into `buf` until the head is complete or refused, until `deadline`. `None`: the
/// peer closed or the connection broke; `Partial`: the deadline passed.
fn read_head(mut stream: &TcpStream, mut buf: Vec<u8>, deadline: Instant) -> Option<Head> {
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Some(Head::Partial);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return Some(Head::Partial),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
        match parse_head(&buf) {
            Head::Partial => {}
            done => return Some(done),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        303 => "See Other",
        400 => "Bad Request",
        404 => "Not Found",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Writes the answer with `Content-Length` and `Connection: close` (no body for HEAD).
fn write_response(mut stream: &TcpStream, r: &Response, head_only: bool) -> std::io::Result<()> {
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
    let mut out = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (name, value) in &r.headers {
        out.push_str(&format!("{}: {}\r\n", clean(name), clean(value)));
    }
    out.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", r.body.len()));
    let mut bytes = out.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&r.body);
    }
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    stream.write_all(&bytes)?;
    stream.flush()
}

/// Half-closes and drains what the peer still sends, bounded, so the answer is not reset away.
fn linger(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut drained = 0;
    let mut chunk = [0u8; 4096];
    while drained < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads() {
        assert_eq!(parse_head(b"GET /callback?code=a HTTP/1.1\r\nHost: x\r\n\r\n"), Head::Complete(Method::Get, "/callback?code=a".into()));
        assert_eq!(parse_head(b"\r\nHEAD / HTTP/1.0\n\n"), Head::Complete(Method::Head, "/".into()));
        assert_eq!(parse_head(b"POST /x HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n"), Head::Complete(Method::Post, "/x".into()));
        assert_eq!(parse_head(b"GET /callback HTTP/1.1\r\nHost: local"), Head::Partial);
        assert_eq!(parse_head(b""), Head::Partial);
        assert_eq!(parse_head(b"GET /\r\n\r\n"), Head::Refused(400));
        assert_eq!(parse_head(b"GET / HTTP/2\r\n\r\n"), Head::Refused(505));
        assert_eq!(parse_head(b"GET /\x01 HTTP/1.1\r\n\r\n"), Head::Refused(400));
        assert_eq!(parse_head(b"GET /\xff HTTP/1.1\r\n\r\n"), Head::Refused(400));
        assert_eq!(parse_head(b"G(T / HTTP/1.1\r\n\r\n"), Head::Refused(400));
        let long_line = [b"GET /".as_slice(), &vec![b'a'; MAX_LINE + 1]].concat();
        assert_eq!(parse_head(&long_line), Head::Refused(414));
        let big_head = [b"GET / HTTP/1.1\r\nX: ".as_slice(), &vec![b'a'; MAX_HEAD]].concat();
        assert_eq!(parse_head(&big_head), Head::Refused(431));
    }
}
