import Glibc

/// A tiny blocking HTTP/1.1 server on loopback: one request per connection, answered in turn.
/// Enough for a debug endpoint; keeps the example free of a web framework.
struct HTTPServer {
    struct Request {
        var path: String
        var query: [String: String]
    }

    struct Response {
        var status = "200 OK"
        var contentType = "text/plain; charset=utf-8"
        var body: [UInt8]
        var headers: [String] = []
    }

    let port: UInt16

    func serve(_ handler: (Request) -> Response) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian  // 127.0.0.1: debug data stays local
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw Failure("cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { continue }
            defer { close(client) }
            guard let request = readRequest(client) else { continue }
            send(client, handler(request))
        }
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < 65536 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            data += buffer[0..<n]
            if data.count >= 4, data[(data.count - 4)...].elementsEqual([13, 10, 13, 10]) { break }
        }
        let firstLine = String(decoding: data.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = firstLine.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        let target = parts[1]
        let path = String(target.prefix { $0 != "?" })
        var query: [String: String] = [:]
        if let mark = target.firstIndex(of: "?") {
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query[percentDecode(String(kv[0]))] = kv.count > 1 ? percentDecode(String(kv[1])) : ""
            }
        }
        return Request(path: path, query: query)
    }

    private func send(_ fd: Int32, _ response: Response) {
        var head = "HTTP/1.1 \(response.status)\r\nContent-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n"
        for header in response.headers { head += header + "\r\n" }
        let bytes = Array((head + "\r\n").utf8) + response.body
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }

    private func percentDecode(_ s: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "+") { out.append(32); continue }
            if b == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v); bytes = bytes.dropFirst(2); continue
            }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
