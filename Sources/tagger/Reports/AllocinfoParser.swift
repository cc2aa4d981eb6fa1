/// A report that could not be read, in compiler form: `source:line:col: error: message`.
public struct AllocinfoParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(source):\(line):\(column): error: \(message)" }
}

/// Strict reader of allocinfo v2.0 text.
///
/// Accepts exactly what the kernel (and the alloctag runtime) print: the two header lines, then
/// per tag `%12lli %8llu file:line [module] func:name[ accurate:no] \n`. Column padding may
/// differ (hand-edited or re-aligned files), and the kernel's trailing space may be missing;
/// anything else is an error naming the line and what was expected, never a guess.
enum AllocinfoParser {
    static let versionLine = Array("allocinfo - version: 2.0".utf8)
    static let versionPrefix = Array("allocinfo - version: ".utf8)
    static let columnsLine = Array("#     <size>  <calls> <tag info>".utf8)
    static let extendedVersionLine = Array("alloctag extended allocinfo - version: 1".utf8)
    /// Version 2: version 1 plus the Swift class types of each site (`+ type` lines).
    static let extendedTypesVersionLine = Array("alloctag extended allocinfo - version: 2".utf8)
    static let typeLinePrefix = Array("+ type ".utf8)
    static let typesNotRecordedPrefix = Array("# types not recorded: ".utf8)
    static let extendedColumnsLine = Array("#  <peak_size>   <total_size>  <total_calls> <size_at_peak>     <size>  <calls> <tag info>".utf8)
    static let funcMarker = Array(" func:".utf8)
    static let inaccurateSuffix = Array(" accurate:no".utf8)

    static func parse(_ bytes: [UInt8], source: String) throws(AllocinfoParseError) -> AllocinfoReport {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the final newline

        func fail(_ line: Int, _ column: Int, _ message: String) -> AllocinfoParseError {
            AllocinfoParseError(source: source, line: line, column: column, message: message)
        }

        guard let first = lines.first else {
            throw fail(1, 1, "expected the header 'allocinfo - version: 2.0', found an empty input (is this an allocinfo report?)")
        }
        if first.last == UInt8(ascii: "\r") {
            throw fail(1, first.count, "line ends in a carriage return; allocinfo lines end in '\\n' only (convert CRLF line endings)")
        }
        if Array(first) == extendedVersionLine || Array(first) == extendedTypesVersionLine {
            return try parseExtended(lines, source: source, types: Array(first) == extendedTypesVersionLine, fail: fail)
        }
        guard Array(first) == versionLine else {
            if first.starts(with: versionPrefix) {
                let version = String(decoding: first.dropFirst(versionPrefix.count), as: UTF8.self)
                throw fail(1, versionPrefix.count + 1, "unsupported allocinfo version '\(version)'; this reader understands version 2.0")
            }
            throw fail(1, 1, "expected the header 'allocinfo - version: 2.0' (is this an allocinfo report?)")
        }
        guard lines.count >= 2, Array(lines[1]) == columnsLine else {
            throw fail(2, 1, "expected the column header '#     <size>  <calls> <tag info>' after the version line")
        }

        var entries: [AllocinfoEntry] = []
        entries.reserveCapacity(lines.count - 2)
        for (offset, line) in lines.enumerated().dropFirst(2) {
            entries.append(try parseEntry(Array(line), lineNumber: offset + 1, fail: fail))
        }
        return AllocinfoReport(entries: entries, source: source)
    }

    /// The runtime's extended report (alloc_tag.h): `# peak: N interval: I`, the columns, then
    /// per tag `%12lli %14lli %13llu %13lli ` (peak, total bytes, total calls, bytes at the
    /// process's peak) followed by the tag's allocinfo line exactly. Version 2 (`types`) adds,
    /// after a tag's line, `+ type %10lli %14lli NAME` per Swift class type (instances, bytes,
    /// name) and, as the last line, `# types not recorded: INSTANCES BYTES`.
    private static func parseExtended(
        _ lines: [ArraySlice<UInt8>], source: String, types: Bool, fail: (Int, Int, String) -> AllocinfoParseError
    ) throws(AllocinfoParseError) -> AllocinfoReport {
        let peakPrefix = Array("# peak: ".utf8), intervalMarker = Array(" interval: ".utf8)
        guard lines.count >= 2, lines[1].starts(with: peakPrefix) else {
            throw fail(2, 1, "expected '# peak: BYTES interval: BYTES' after the version line")
        }
        let peakLine = Array(lines[1])
        var i = peakPrefix.count
        guard let peakBytes = readInteger(peakLine, &i, allowMinus: true),
              peakLine[i...].starts(with: intervalMarker) else {
            throw fail(2, i + 1, "expected the peak in bytes, then ' interval: BYTES'")
        }
        i += intervalMarker.count
        guard let interval = readInteger(peakLine, &i, allowMinus: false), i == peakLine.count else {
            throw fail(2, i + 1, "expected the sampling interval in bytes at the end of the line")
        }
        guard lines.count >= 3, Array(lines[2]) == extendedColumnsLine else {
            throw fail(3, 1, "expected the extended column header '\(String(decoding: extendedColumnsLine, as: UTF8.self))'")
        }
        var entries: [AllocinfoEntry] = []
        entries.reserveCapacity(lines.count - 3)
        let names = ["peak size", "total size", "total allocation count", "size at the process's peak"]
        var notRecorded: AllocinfoTypeCount?
        for (offset, slice) in lines.enumerated().dropFirst(3) {
            let line = Array(slice), lineNumber = offset + 1
            if notRecorded != nil {
                throw fail(lineNumber, 1, "expected nothing after the '# types not recorded:' line")
            }
            if line.starts(with: typeLinePrefix) || line.starts(with: typesNotRecordedPrefix) {
                guard types else {
                    throw fail(lineNumber, 1, "Swift type lines need the extended report's version 2 header")
                }
                if line.starts(with: typesNotRecordedPrefix) {
                    notRecorded = try parseTypeCounts(line, from: typesNotRecordedPrefix.count, lineNumber: lineNumber,
                                                      named: false, fail: fail)
                    continue
                }
                guard !entries.isEmpty else {
                    throw fail(lineNumber, 1, "a '+ type' line must follow the line of the site that allocated it")
                }
                entries[entries.count - 1].types!.append(
                    try parseTypeCounts(line, from: typeLinePrefix.count, lineNumber: lineNumber, named: true, fail: fail))
                continue
            }
            var values: [Int64] = []
            var j = 0
            for name in names {
                while j < line.count, line[j] == UInt8(ascii: " ") { j += 1 }
                let start = j
                guard let value = readInteger(line, &j, allowMinus: name != "total allocation count"),
                      j < line.count, line[j] == UInt8(ascii: " ") else {
                    throw fail(lineNumber, start + 1, "expected the \(name) (a decimal integer) and a space")
                }
                values.append(value)
            }
            let rest = j + 1
            var entry = try parseEntry(Array(line[rest...]), lineNumber: lineNumber) { line, column, message in
                fail(line, column + rest, message)
            }
            entry.types = []
            entry.history = AllocinfoHistory(peakBytes: values[0], totalBytes: values[1], totalCalls: values[2], bytesAtPeak: values[3])
            entries.append(entry)
        }
        return AllocinfoReport(entries: entries, source: source, peak: AllocinfoPeak(bytes: peakBytes, interval: interval),
                               typesNotRecorded: notRecorded)
    }

    /// `INSTANCES BYTES NAME` (a type line, `named`) or `INSTANCES BYTES` from `start`; the
    /// numbers may be padded, the name is the rest of the line after one space.
    private static func parseTypeCounts(
        _ line: [UInt8], from start: Int, lineNumber: Int, named: Bool, fail: (Int, Int, String) -> AllocinfoParseError
    ) throws(AllocinfoParseError) -> AllocinfoTypeCount {
        var i = start, values: [Int64] = []
        for what in ["instance count", "size in bytes"] {
            while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
            let at = i
            guard let value = readInteger(line, &i, allowMinus: false) else {
                throw fail(lineNumber, at + 1, "expected the \(what) (a decimal integer)")
            }
            values.append(value)
        }
        guard named else {
            guard i == line.count else { throw fail(lineNumber, i + 1, "expected the end of the line after the size") }
            return AllocinfoTypeCount(name: "<not recorded>", instances: values[0], bytes: values[1])
        }
        guard i + 1 < line.count, line[i] == UInt8(ascii: " "),
              let name = String(validating: line[(i + 1)...], as: UTF8.self) else {
            throw fail(lineNumber, i + 1, "expected a space and the type's name (UTF-8) after the size")
        }
        return AllocinfoTypeCount(name: name, instances: values[0], bytes: values[1])
    }

    private static func parseEntry(
        _ line: [UInt8], lineNumber: Int, fail: (Int, Int, String) -> AllocinfoParseError
    ) throws(AllocinfoParseError) -> AllocinfoEntry {
        let space = UInt8(ascii: " ")
        if line.isEmpty { throw fail(lineNumber, 1, "empty line; every line after the header describes one tag") }
        if line.last == UInt8(ascii: "\r") {
            throw fail(lineNumber, line.count, "line ends in a carriage return; allocinfo lines end in '\\n' only (convert CRLF line endings)")
        }
        var i = 0
        while i < line.count, line[i] == space { i += 1 }
        let bytesStart = i
        guard let bytes = readInteger(line, &i, allowMinus: true) else {
            throw fail(lineNumber, bytesStart + 1, "expected the live size in bytes (a decimal integer, printed as %12lli)")
        }
        guard i < line.count, line[i] == space else {
            throw fail(lineNumber, i + 1, "expected a space after the size")
        }
        while i < line.count, line[i] == space { i += 1 }
        let callsStart = i
        guard let callsValue = readInteger(line, &i, allowMinus: false) else {
            throw fail(lineNumber, callsStart + 1, "expected the live allocation count (a decimal integer, printed as %8llu)")
        }
        guard i < line.count, line[i] == space else {
            throw fail(lineNumber, i + 1, "expected a space and the tag info 'file:line func:name' after the call count")
        }
        i += 1
        let infoStart = i
        var info = Array(line[i...])
        if info.last == space { info.removeLast() }  // the kernel ends every line with " \n"
        var accurate = true
        if info.count > inaccurateSuffix.count, info.suffix(inaccurateSuffix.count).elementsEqual(inaccurateSuffix) {
            accurate = false
            info.removeLast(inaccurateSuffix.count)
        }
        guard let site = parseTagInfo(info) else {
            throw fail(lineNumber, infoStart + 1,
                       "expected the tag info 'file:line func:name' or 'file:line [module] func:name'")
        }
        return AllocinfoEntry(site: site, bytes: bytes, calls: callsValue, accurate: accurate)
    }

    /// Reads `-?[0-9]+` that fits an Int64; nil (and `i` unspecified) otherwise.
    private static func readInteger(_ line: [UInt8], _ i: inout Int, allowMinus: Bool) -> Int64? {
        var negative = false
        if allowMinus, i < line.count, line[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var value: Int64 = 0
        var digits = 0
        while i < line.count, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "9") {
            let digit = Int64(line[i] - UInt8(ascii: "0"))
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = s
            digits += 1
            i += 1
        }
        return digits == 0 ? nil : value
    }

    /// `file:line [module] func:name`. The file may itself contain ':' or spaces, so each
    /// " func:" is tried in turn until what precedes it is a well-formed location.
    static func parseTagInfo(_ info: [UInt8]) -> AllocSiteKey? {
        var start = 0
        while let marker = find(funcMarker, in: info, from: start) {
            start = marker + 1
            let function = Array(info[(marker + funcMarker.count)...])
            guard !function.isEmpty, let functionName = String(validating: function, as: UTF8.self) else { continue }
            if let (file, line, module) = parseLocation(Array(info[..<marker])) {
                return AllocSiteKey(module: module, file: file, line: line, function: functionName)
            }
        }
        return nil
    }

    private static func parseLocation(_ text: [UInt8]) -> (String, Int, String?)? {
        var location = text[...]
        var module: String?
        if text.last == UInt8(ascii: "]"), let open = lastIndex(of: Array(" [".utf8), in: text) {
            let name = text[(open + 2)..<(text.count - 1)]
            if !name.isEmpty, let decoded = String(validating: name, as: UTF8.self) {
                module = decoded
                location = text[..<open]
            }
        }
        guard let colon = location.lastIndex(of: UInt8(ascii: ":")), colon > location.startIndex else { return nil }
        let digits = location[(colon + 1)...]
        guard !digits.isEmpty, digits.count <= 10,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let line = Int(String(decoding: digits, as: UTF8.self)), line <= Int(UInt32.max),
              let file = String(validating: location[..<colon], as: UTF8.self)
        else { return nil }
        return (file, line, module)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        for i in from...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    private static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in stride(from: haystack.count - needle.count, through: 0, by: -1) {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
