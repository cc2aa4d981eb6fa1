import CAllocTag
#if canImport(Glibc)
import Glibc
#endif

/// One call site's live allocations, as a line of the allocinfo report.
public struct AllocationEntry: Hashable, Sendable {
    /// The shared library the site is in; nil for the main executable.
    public var module: String?
    public var function: String
    public var file: String
    public var line: Int
    /// Live bytes and live allocations (frees decrement both).
    public var bytes: Int64
    public var calls: Int64
    /// False when the runtime could not record a reference for some allocation of the site.
    public var accurate: Bool

    public init(module: String?, function: String, file: String, line: Int,
                bytes: Int64, calls: Int64, accurate: Bool) {
        self.module = module
        self.function = function
        self.file = file
        self.line = line
        self.bytes = bytes
        self.calls = calls
        self.accurate = accurate
    }

    /// True for the synthetic site charged with allocations made under no tag.
    public var isUntagged: Bool { file == "<untagged>" && line == 0 }

    /// This entry as a line of the allocinfo text (formatted by the runtime's C formatter).
    public var allocinfoLine: String {
        module.withOptionalCString { module in
            function.withCString { function in
                file.withCString { file in
                    var e = alloc_tag_entry(modname: module, function: function, filename: file,
                                            lineno: UInt32(clamping: line), accurate: accurate,
                                            bytes: bytes, calls: calls)
                    return AllocationReport.formatLine(&e)
                }
            }
        }
    }
}

extension Optional where Wrapped == String {
    fileprivate func withOptionalCString<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        switch self {
        case .some(let s): return s.withCString { body($0) }
        case .none: return body(nil)
        }
    }
}

/// The whole report: the allocinfo text and the same data as entries.
public struct AllocationReport: Sendable {
    /// `/proc/allocinfo` version 2.0 text, byte for byte.
    public var text: String
    public var entries: [AllocationEntry]

    /// Sums of every site (the untagged line included): the live bytes and allocations that
    /// went through the allocator while profiling counted.
    public var totalBytes: Int64 { entries.reduce(0) { $0 + $1.bytes } }
    public var totalCalls: Int64 { entries.reduce(0) { $0 + $1.calls } }

    /// The entries at `file:line` (a line can hold more than one site).
    public func entries(file: String, line: Int) -> [AllocationEntry] {
        entries.filter { $0.file == file && $0.line == line }
    }

    /// `allocinfo - version: 2.0` and the column line.
    public static var header: String { String(cString: alloc_tag_report_header()) }

    /// Takes a snapshot of this process now.
    public static func current() -> AllocationReport {
        var raw: UnsafeMutablePointer<alloc_tag_entry>?
        let count = alloc_tag_snapshot(&raw)
        guard let raw else { return AllocationReport(text: String(cString: alloc_tag_report_header()), entries: []) }
        defer { free(raw) }
        var entries: [AllocationEntry] = []
        entries.reserveCapacity(count)
        var text = String(cString: alloc_tag_report_header())
        for i in 0..<count {
            var e = raw[i]
            entries.append(AllocationEntry(
                module: e.modname.map { String(cString: $0) },
                function: String(cString: e.function),
                file: String(cString: e.filename),
                line: Int(e.lineno),
                bytes: e.bytes,
                calls: e.calls,
                accurate: e.accurate
            ))
            text += formatLine(&e)
        }
        return AllocationReport(text: text, entries: entries)
    }

    /// One line, formatted by the runtime itself so C and Swift reports cannot drift apart.
    static func formatLine(_ e: inout alloc_tag_entry) -> String {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let n = buffer.withUnsafeMutableBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { Int(alloc_tag_format_entry($0.baseAddress, capacity, &e)) }
            }
            if n < capacity { return String(decoding: buffer[0..<max(n, 0)], as: UTF8.self) }
            capacity = n + 1
        }
    }
}
