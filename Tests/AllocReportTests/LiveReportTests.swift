import AllocReport
import Foundation
import Glibc
import XCTest

/// The client against a fake server speaking the protocol (abstract sockets found among the
/// process's own descriptors, report until EOF). The runtime's own server is tested by the
/// runtime's tests; here this process serves, under names of its own (a prefix per test).
final class LiveReportTests: XCTestCase {
    /// Listens on the abstract socket `name`, serves `replies` one per connection, then stops.
    final class FakeServer: @unchecked Sendable {
        let fd: Int32
        let thread: Thread
        /// Signalled when the serving thread has returned. Invariant: the listener is closed
        /// only after that, so a thread still waiting in `accept` for a reply no test asked
        /// for can never accept on a later test's listener that reused the descriptor number
        /// (it did, and served that test a stale reply).
        let finished = DispatchSemaphore(value: 0)

        init(name: String, replies: [[UInt8]?]) throws {
            let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard listener >= 0 else { throw POSIXError(.EIO) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(name.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { p in
                p[0] = 0
                for (i, b) in bytes.enumerated() { p[i + 1] = b }
            }
            let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + 1 + bytes.count)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
            guard bound == 0, listen(listener, 4) == 0 else { close(listener); throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            fd = listener
            let finished = finished
            thread = Thread {
                defer { finished.signal() }
                for reply in replies {
                    let client = accept(listener, nil, nil)
                    guard client >= 0 else { return }
                    if let reply {
                        var offset = 0
                        while offset < reply.count {
                            // Small writes, so the client must keep reading until EOF. MSG_NOSIGNAL: a
                            // client that refuses the server hangs up first, which must not SIGPIPE the test.
                            let n = reply[offset...].prefix(1000).withUnsafeBytes {
                                send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                            }
                            if n <= 0 { break }
                            offset += n
                        }
                    }
                    close(client)
                }
            }
            thread.start()
        }

        deinit {
            shutdown(fd, Int32(SHUT_RDWR))  // wakes a pending accept, and fails every later one
            finished.wait()
            close(fd)
        }
    }

    /// A name of our own: in a test bundle that links TagRuntime, the runtime's real server
    /// may listen under `alloctag.` names in this process (TagRuntimeMetricsTests reads it end
    /// to end). Names start with `uniquePrefix()` when the test finds them by pid.
    private func uniqueName() -> String { "alloctag-test.\(getpid()).\(UInt32.random(in: 0 ... .max))" }
    private func uniquePrefix() -> String { "alloctag-test.\(UInt32.random(in: 0 ... .max))." }

    func testFetchesAndParsesTheReport() throws {
        let text = try Fixture.text("new.allocinfo")
        let name = uniqueName()
        let server = try FakeServer(name: name, replies: [Array(text.utf8)])
        let report = try LiveReport.fetch(abstractName: name, source: "pid 7", what: "process 7")
        XCTAssertEqual(report.source, "pid 7")
        XCTAssertEqual(report.entries, try Fixture.report("new.allocinfo").entries)
        XCTAssertEqual(report.text, text)
        _ = server
    }

    /// A runtime without the extended socket: --pid falls back to the v2.0 report. The sockets
    /// are found among this process's descriptors, as --pid finds another process's.
    func testFallsBackToTheV2SocketWithoutAnExtendedOne() throws {
        let prefix = uniquePrefix()
        let server = try FakeServer(name: prefix + "0123456789abcdef", replies: [Array(try Fixture.text("new.allocinfo").utf8)])
        let report = try LiveReport.fetch(pid: getpid(), prefix: prefix)
        XCTAssertEqual(report.source, "pid \(getpid())")
        XCTAssertEqual(report.entries, try Fixture.report("new.allocinfo").entries)
        XCTAssertNil(report.peak, "a v2.0 report has no peak")
        _ = server
    }

    /// With both sockets, --pid reads the extended one.
    func testPrefersTheExtendedSocket() throws {
        let prefix = uniquePrefix()
        let plain = try FakeServer(name: prefix + "1", replies: [Array(try Fixture.text("old.allocinfo").utf8)])
        let extended = try FakeServer(name: prefix + "2.ext", replies: [Array(try Fixture.text("extended.allocinfo").utf8)])
        let found = try LiveReport.listeners(pid: getpid(), prefix: prefix)
        XCTAssertEqual(found.report, prefix + "1")
        XCTAssertEqual(found.extended, prefix + "2.ext")
        let report = try LiveReport.fetch(pid: getpid(), prefix: prefix)
        XCTAssertEqual(report.entries, try Fixture.report("extended.allocinfo").entries)
        _ = (plain, extended)
    }

    /// Names are never derived from the pid: a listener under the same prefix held by another
    /// process (a squatter) is not this process's, and this process's is not the other's.
    func testOnlyTheProcessesOwnSocketsAreFound() throws {
        let prefix = uniquePrefix()
        let squatter = Process()
        squatter.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        squatter.arguments = ["python3", "-c", """
            import socket, sys, time
            s = socket.socket(socket.AF_UNIX)
            s.bind("\\0" + sys.argv[1])
            s.listen(1)
            print("bound", flush=True)
            time.sleep(30)
            """, prefix + "squat.ext"]
        let out = Pipe()
        squatter.standardOutput = out
        try squatter.run()
        defer { squatter.terminate(); squatter.waitUntilExit() }
        XCTAssertEqual(String(decoding: out.fileHandleForReading.readData(ofLength: 6), as: UTF8.self), "bound\n")
        let server = try FakeServer(name: prefix + "own", replies: [Array(try Fixture.text("new.allocinfo").utf8)])
        let ours = try LiveReport.listeners(pid: getpid(), prefix: prefix)
        XCTAssertEqual(ours.report, prefix + "own")
        XCTAssertNil(ours.extended, "the squatter's socket is not this process's")
        let theirs = try LiveReport.listeners(pid: squatter.processIdentifier, prefix: prefix)
        XCTAssertEqual(theirs.extended, prefix + "squat.ext")
        XCTAssertNil(theirs.report)
        XCTAssertEqual(try LiveReport.fetch(pid: getpid(), prefix: prefix).entries, try Fixture.report("new.allocinfo").entries)
        _ = server
    }

    func testServerIsCheckedByItsCredentials() throws {
        let text = try Fixture.text("new.allocinfo")
        let name = uniqueName()
        let server = try FakeServer(name: name, replies: [Array(text.utf8), Array(text.utf8)])
        // This process serves: believed when it is the one asked for, refused when another is.
        let report = try LiveReport.fetch(abstractName: name, source: "pid 7", what: "process 7", server: (getpid(), geteuid()))
        XCTAssertEqual(report.text, text)
        XCTAssertThrowsError(try LiveReport.fetch(abstractName: name, source: "pid 7", what: "process 7", server: (getppid(), geteuid()))) { error in
            XCTAssertEqual("\(error)", "@\(name) is served by pid \(getpid()) (uid \(geteuid())), not by process 7 (uid \(geteuid())): refusing its report (another process holds the name)")
        }
        _ = server
    }

    func testRuntimeRefusalIsReported() throws {
        let name = uniqueName()
        let refusal = "alloctag: permission denied: only the process's owner or root may read its report\n"
        let server = try FakeServer(name: name, replies: [Array(refusal.utf8)])
        XCTAssertThrowsError(try LiveReport.fetch(abstractName: name, source: "pid 7", what: "process 7")) { error in
            XCTAssertEqual("\(error)", "process 7 refused to send its report: permission denied: only the process's owner or root may read its report")
        }
        _ = server
    }

    func testSilentCloseGetsAClearMessage() throws {
        let name = uniqueName()
        let server = try FakeServer(name: name, replies: [nil])
        XCTAssertThrowsError(try LiveReport.fetch(abstractName: name, source: "pid 7", what: "process 7")) { error in
            XCTAssertEqual("\(error)", "process 7 closed the connection without sending a report: only the process's owner or root may read it (run as that user, or with sudo)")
        }
        _ = server
    }

    func testMalformedReplyNamesTheLine() throws {
        let name = uniqueName()
        let server = try FakeServer(name: name, replies: [Array((AllocinfoReport.header + "oops\n").utf8)])
        XCTAssertThrowsError(try LiveReport.fetch(abstractName: name, source: "pid 7", what: "process 7")) { error in
            XCTAssertEqual("\(error)", "process 7 sent a malformed report: pid 7:3:1: error: expected the live size in bytes (a decimal integer, printed as %12lli)")
        }
        _ = server
    }

    func testNoListenerAndNoProcess() {
        let name = uniqueName()
        XCTAssertThrowsError(try LiveReport.fetch(abstractName: name, source: "x", what: "process 7")) { error in
            XCTAssertEqual("\(error)", "process 7 is not listening on @\(name)")
        }
        XCTAssertThrowsError(try LiveReport.fetch(pid: getpid(), prefix: uniquePrefix())) { error in
            XCTAssertEqual("\(error)", "process \(getpid()) is not listening: it is not linked with TagRuntime or live inspection is off in it "
                + "(ALLOCTAG_INSPECT=1 or alloc_tag_inspect_start() turns it on)")
        }
        XCTAssertThrowsError(try LiveReport.fetch(pid: 0)) { error in
            XCTAssertEqual("\(error)", "invalid pid 0: expected a positive process id")
        }
        // pid_max is at most 2^22 on Linux, so this pid cannot exist.
        XCTAssertThrowsError(try LiveReport.fetch(pid: 99_999_999)) { error in
            XCTAssertEqual("\(error)", "no process with pid 99999999")
        }
    }
}
