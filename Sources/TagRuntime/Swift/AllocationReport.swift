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
    /// Bytes and allocations ever made at the site (a realloc counts once, its new size).
    public var totalBytes: Int64
    public var totalCalls: Int64
    /// The highest live bytes the site reached, and its live bytes when the process's live
    /// total was highest (sampled: `AllocationReport.peakBytes` states the bound).
    public var peakBytes: Int64
    public var bytesAtPeak: Int64

    public init(module: String?, function: String, file: String, line: Int,
                bytes: Int64, calls: Int64, accurate: Bool,
                totalBytes: Int64 = 0, totalCalls: Int64 = 0, peakBytes: Int64 = 0, bytesAtPeak: Int64 = 0) {
        self.module = module
        self.function = function
        self.file = file
        self.line = line
        self.bytes = bytes
        self.calls = calls
        self.accurate = accurate
        self.totalBytes = totalBytes
        self.totalCalls = totalCalls
        self.peakBytes = peakBytes
        self.bytesAtPeak = bytesAtPeak
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
                                            bytes: bytes, calls: calls, total_bytes: totalBytes, total_calls: totalCalls,
                                            peak_bytes: peakBytes, bytes_at_peak: bytesAtPeak)
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
    /// The process's live bytes at their highest so far. Sampled every ALLOCTAG_PEAK_INTERVAL
    /// bytes per thread (default 1 MiB): the true peak is less than interval x threads above it.
    public var peakBytes: Int64 = 0
    /// ALLOCTAG_PEAK_INTERVAL: the bytes each thread allocates between peak samples.
    public var peakInterval: Int64 = 0

    public init(text: String, entries: [AllocationEntry], peakBytes: Int64 = 0, peakInterval: Int64 = 0) {
        self.text = text
        self.entries = entries
        self.peakBytes = peakBytes
        self.peakInterval = peakInterval
    }

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
        let peak = alloc_tag_peak()  // samples first: the peaks cover the present
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
                accurate: e.accurate,
                totalBytes: e.total_bytes,
                totalCalls: e.total_calls,
                peakBytes: e.peak_bytes,
                bytesAtPeak: e.bytes_at_peak
            ))
            text += formatLine(&e)
        }
        return AllocationReport(text: text, entries: entries, peakBytes: peak, peakInterval: alloc_tag_peak_interval())
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
