import AllocReport
import Foundation
import Glibc
import XCTest

/// The client against a fake server speaking the protocol (abstract socket `alloctag.<pid>`,
/// report until EOF). The runtime's own server is tested by the runtime's tests.
final class LiveReportTests: XCTestCase {
    /// Listens on the abstract socket `name`, serves `replies` one per connection, then stops.
    final class FakeServer: @unchecked Sendable {
        let fd: Int32
        let thread: Thread

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
            thread = Thread {
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

        deinit { close(fd) }
    }

    /// A name of our own: in a test bundle that links TagRuntime, the runtime's real server
    /// already owns `alloctag.<pid>` (TagRuntimeMetricsTests reads it end to end).
    private func uniqueName() -> String { "alloctag-test.\(getpid()).\(UInt32.random(in: 0 ... .max))" }

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

    /// A runtime without the extended socket: --pid falls back to the v2.0 report. (This process
    /// serves, under names of its own; the client checks the server's credentials as --pid does.)
    func testFallsBackToTheV2SocketWithoutAnExtendedOne() throws {
        let name = uniqueName()
        let server = try FakeServer(name: name, replies: [Array(try Fixture.text("new.allocinfo").utf8)])
        let report = try LiveReport.fetch(extendedName: name + ".ext", name: name, source: "pid 7", what: "process 7",
                                          server: (getpid(), geteuid()))
        XCTAssertEqual(report.entries, try Fixture.report("new.allocinfo").entries)
        XCTAssertNil(report.peak, "a v2.0 report has no peak")
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
            XCTAssertTrue("\(error)".hasPrefix("process 7 is not listening on @\(name): it is not linked with TagRuntime"), "\(error)")
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
