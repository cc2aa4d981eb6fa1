import Glibc

/// Why a running process's report could not be read.
public struct LiveReportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing listens on the socket (connection refused).
    public var notListening = false
    public var message: String
    public var description: String { message }
}

/// Client of live inspection: reads the report of a running instrumented process, the way
/// /proc/allocinfo is read at any time, without restarting it or having it write a file.
///
/// Protocol: the process listens on the Linux abstract unix socket `alloctag.<pid>`
/// (sun_path[0] = 0, then those bytes, no terminating NUL); a client connects and reads until
/// EOF; the server sends the full allocinfo v2.0 text after checking the peer's uid (the
/// process's owner or root). Anyone else gets one line starting `alloctag: ` (the runtime's
/// refusal) or nothing, and the connection closed. `alloctag.<pid>.ext` serves the extended
/// report (cumulative counts and peaks) the same way. The client checks the server in turn: the
/// kernel's SO_PEERCRED must name the pid asked for, run by the owner of `/proc/<pid>`, so a
/// squatter on the name, or a namesake in another pid namespace, is refused and never read.
public enum LiveReport {
    public static func socketName(pid: Int32) -> String { "alloctag.\(pid)" }
    public static func extendedSocketName(pid: Int32) -> String { "alloctag.\(pid).ext" }

    /// Fetches and parses the report of process `pid`: the extended report (with cumulative
    /// counts and peaks), or the v2.0 one from a runtime that serves no extended report.
    public static func fetch(pid: Int32, timeoutSeconds: Int = 10) throws(LiveReportError) -> AllocinfoReport {
        guard pid > 0 else { throw LiveReportError(message: "invalid pid \(pid): expected a positive process id") }
        if kill(pid, 0) != 0, errno == ESRCH {
            throw LiveReportError(message: "no process with pid \(pid)")
        }
        var owner = stat()
        guard stat("/proc/\(pid)", &owner) == 0 else { throw LiveReportError(message: "no process with pid \(pid)") }
        return try fetch(extendedName: extendedSocketName(pid: pid), name: socketName(pid: pid), source: "pid \(pid)",
                         what: "process \(pid)", server: (pid, owner.st_uid), timeoutSeconds: timeoutSeconds)
    }

    /// The extended report served on `extendedName`, or the v2.0 one on `name` when nothing
    /// listens there (a runtime that serves no extended report).
    public static func fetch(extendedName: String, name: String, source: String, what: String, server: (pid: Int32, uid: uid_t)? = nil,
                             timeoutSeconds: Int = 10) throws(LiveReportError) -> AllocinfoReport {
        do {
            return try fetch(abstractName: extendedName, source: source, what: what, server: server, timeoutSeconds: timeoutSeconds)
        } catch where error.notListening {
            return try fetch(abstractName: name, source: source, what: what, server: server, timeoutSeconds: timeoutSeconds)
        }
    }

    /// Fetches and parses the report served on the abstract socket `name`.
    /// With `server`, the report is believed only from that pid and uid (SO_PEERCRED).
    public static func fetch(abstractName name: String, source: String, what: String, server: (pid: Int32, uid: uid_t)? = nil,
                             timeoutSeconds: Int = 10) throws(LiveReportError) -> AllocinfoReport {
        let bytes = try fetchRaw(abstractName: name, timeoutSeconds: timeoutSeconds, what: what, server: server)
        let refusal = Array("alloctag: ".utf8)
        if bytes.starts(with: refusal) {
            var message = String(decoding: bytes.dropFirst(refusal.count), as: UTF8.self)
            while message.hasSuffix("\n") { message.removeLast() }
            throw LiveReportError(message: "\(what) refused to send its report: \(message)")
        }
        do {
            return try AllocinfoReport(parsing: bytes, source: source)
        } catch {
            throw LiveReportError(message: "\(what) sent a malformed report: \(error)")
        }
    }

    /// Connects to the abstract socket `name` and returns everything read until EOF.
    public static func fetchRaw(abstractName name: String, timeoutSeconds: Int = 10, what: String? = nil,
                                server: (pid: Int32, uid: uid_t)? = nil) throws(LiveReportError) -> [UInt8] {
        let what = what ?? "@\(name)"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let nameBytes = Array(name.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard nameBytes.count + 1 <= capacity else {
            throw LiveReportError(message: "socket name '\(name)' is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path[0] = 0  // abstract namespace: no file on disk, gone when the process exits
            for (i, b) in nameBytes.enumerated() { path[i + 1] = b }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + 1 + nameBytes.count)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LiveReportError(message: "cannot create a unix socket: \(lastError())") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: max(1, timeoutSeconds), tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0 else {
            if errno == ECONNREFUSED || errno == ENOENT {
                throw LiveReportError(notListening: true, message: "\(what) is not listening on @\(name): it is not linked with TagRuntime, "
                    + "live inspection is off in it, or it runs in another network namespace (abstract sockets are per namespace)")
            }
            throw LiveReportError(message: "cannot connect to @\(name) of \(what): \(lastError())")
        }
        if let server {
            // struct ucred: pid, uid, gid (SO_PEERCRED is 17 on Linux).
            var peer: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
            var size = socklen_t(MemoryLayout.size(ofValue: peer))
            guard getsockopt(fd, SOL_SOCKET, 17, &peer, &size) == 0 else {
                throw LiveReportError(message: "cannot check who serves @\(name): \(lastError())")
            }
            guard peer.pid == server.pid, peer.uid == server.uid else {
                throw LiveReportError(message: "@\(name) is served by pid \(peer.pid) (uid \(peer.uid)), not by \(what) "
                    + "(uid \(server.uid)): refusing its report (another process holds the name)")
            }
        }

        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { result.append(contentsOf: buffer[0..<n]); continue }
            if n == 0 { break }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw LiveReportError(message: "\(what) did not finish sending its report within \(max(1, timeoutSeconds)) s")
            }
            throw LiveReportError(message: "reading the report of \(what) failed: \(lastError())")
        }
        guard !result.isEmpty else {
            throw LiveReportError(message: "\(what) closed the connection without sending a report: "
                + "only the process's owner or root may read it (run as that user, or with sudo)")
        }
        return result
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
