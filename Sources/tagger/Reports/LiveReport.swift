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
/// Protocol: the process listens on Linux abstract unix sockets named
/// `alloctag.<pid>.<16 random hex digits>` (the allocinfo v2.0 text) and the same plus `.ext`
/// (the extended report: cumulative counts and peaks); a client connects and reads until EOF.
/// The names cannot be guessed, so nobody can take them first; a client finds them in the
/// process itself: among the sockets its threads hold (`/proc/<pid>/task/<tid>/fd`, links the
/// kernel shows only to the process's owner or root) the ones `/proc/<pid>/net/unix` lists as
/// listening under such a name. A socket of any other process (another user's, or one with the
/// same pid in another pid namespace) is never looked at. The server sends the report after
/// checking the peer's uid (the process's owner or root); anyone else gets one line starting
/// `alloctag: ` (the runtime's refusal) or nothing. The client checks the server in turn: the
/// kernel's SO_PEERCRED must name the pid asked for, run by the owner of `/proc/<pid>`.
public enum LiveReport {
    /// The abstract names the runtime's listeners start with.
    public static let namePrefix = "alloctag."

    /// The listening sockets of process `pid` whose abstract names start with `prefix`, as
    /// `/proc/<pid>/net/unix` lists them (without the leading NUL): `report` for the v2.0 text,
    /// `extended` for the name that ends in `.ext`.
    public static func listeners(pid: Int32, prefix: String = namePrefix) throws(LiveReportError) -> (report: String?, extended: String?) {
        let held = try heldSockets(pid: pid)
        guard let table = readText("/proc/\(pid)/net/unix") else {
            throw LiveReportError(message: "cannot read /proc/\(pid)/net/unix: \(lastError())")
        }
        var found: (report: String?, extended: String?) = (nil, nil)
        // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000: listening (__SO_ACCEPTCON).
        for line in table.split(separator: "\n").dropFirst() {
            let field = line.split(separator: " ", omittingEmptySubsequences: true)
            guard field.count >= 8, let flags = UInt32(field[3], radix: 16), flags & 0x10000 != 0,
                  UInt32(field[4], radix: 16) == UInt32(SOCK_STREAM.rawValue), let inode = UInt64(field[6]),
                  held.contains(inode), field[7].hasPrefix("@" + prefix) else { continue }
            let name = String(field[7].dropFirst())  // '@' stands for the leading NUL
            if name.hasSuffix(".ext") { found.extended = found.extended ?? name } else { found.report = found.report ?? name }
        }
        return found
    }

    /// Fetches and parses the report of process `pid`: the extended report (with cumulative
    /// counts and peaks), or the v2.0 one from a runtime that serves no extended report.
    /// `prefix`: the names to look for (tests serve under names of their own).
    public static func fetch(pid: Int32, prefix: String = namePrefix, timeoutSeconds: Int = 10) throws(LiveReportError) -> AllocinfoReport {
        guard pid > 0 else { throw LiveReportError(message: "invalid pid \(pid): expected a positive process id") }
        if kill(pid, 0) != 0, errno == ESRCH {
            throw LiveReportError(message: "no process with pid \(pid)")
        }
        var owner = stat()
        guard stat("/proc/\(pid)", &owner) == 0 else { throw LiveReportError(message: "no process with pid \(pid)") }
        var ours = stat(), theirs = stat()
        if stat("/proc/self/ns/net", &ours) == 0, stat("/proc/\(pid)/ns/net", &theirs) == 0, ours.st_ino != theirs.st_ino {
            throw LiveReportError(message: "process \(pid) runs in another network namespace: its socket cannot be reached from here "
                + "(run tagger inside the process's container)")
        }
        let found = try listeners(pid: pid, prefix: prefix)
        guard let name = found.extended ?? found.report else {
            throw LiveReportError(notListening: true, message: "process \(pid) is not listening: it is not linked with TagRuntime "
                + "or live inspection is off in it (ALLOCTAG_INSPECT=1 or alloc_tag_inspect_start() turns it on)")
        }
        return try fetch(abstractName: name, source: "pid \(pid)", what: "process \(pid)", server: (pid, owner.st_uid),
                         timeoutSeconds: timeoutSeconds)
    }

    /// The inodes of the sockets every thread of `pid` holds (the serving thread has a
    /// descriptor table of its own).
    private static func heldSockets(pid: Int32) throws(LiveReportError) -> Set<UInt64> {
        var inodes = Set<UInt64>()
        guard let tasks = opendir("/proc/\(pid)/task") else {
            throw LiveReportError(message: "cannot read /proc/\(pid)/task: \(lastError())")
        }
        defer { closedir(tasks) }
        while let task = readdir(tasks) {
            let tid = entryName(task)
            guard !tid.hasPrefix(".") else { continue }
            let dir = "/proc/\(pid)/task/\(tid)/fd"
            guard let fds = opendir(dir) else {
                if errno == ENOENT { continue }  // the thread exited
                throw LiveReportError(message: "cannot read the descriptors of process \(pid) (\(dir)): \(lastError()): "
                    + "only the process's owner or root may read its report (run as that user, or with sudo)")
            }
            defer { closedir(fds) }
            while let fd = readdir(fds) {
                var link = [CChar](repeating: 0, count: 64)
                let n = readlink("\(dir)/\(entryName(fd))", &link, link.count - 1)
                guard n > 0 else { continue }
                let text = String(decoding: link[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if text.hasPrefix("socket:["), text.hasSuffix("]"), let inode = UInt64(text.dropFirst(8).dropLast()) {
                    inodes.insert(inode)
                }
            }
        }
        return inodes
    }

    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: &entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
    }

    private static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
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
                throw LiveReportError(notListening: true, message: "\(what) is not listening on @\(name)")
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
