/// One textual change to a file: replace the bytes `[start, end)` with `text`; an insertion
/// has `start == end`. The C and the Swift front ends plan their annotations as sets of these
/// and apply them with `Edit.apply`, so both order and check edits the same way.
public struct Edit: Hashable, Sendable {
    public var start: Int
    public var end: Int
    public var text: String
    /// At one position, lower first in the output. The front ends' convention: closing suffixes
    /// (0) before opening prefixes (1) before replacements (2); file-level insertions use -1 or 3.
    public var order: Int
    /// Within one `order` at one position, lower first: outer prefixes before inner ones
    /// (depth), inner suffixes before outer ones (-depth).
    public var depth: Int

    public init(start: Int, end: Int, text: String, order: Int, depth: Int = 0) {
        self.start = start
        self.end = end
        self.text = text
        self.order = order
        self.depth = depth
    }

    /// Inserts `text` at `offset`.
    public static func insert(_ text: String, at offset: Int, order: Int, depth: Int = 0) -> Edit {
        Edit(start: offset, end: offset, text: text, order: order, depth: depth)
    }

    public var isInsertion: Bool { start == end }

    /// Two edits that cannot both apply: a replacement overlapping another, or an edit placed
    /// strictly inside a replaced range (or at its start but ordered after it). `offset` is
    /// the start of the later of the two in application order.
    public struct Conflict: Error, Equatable, Sendable, CustomStringConvertible {
        public var offset: Int
        public init(offset: Int) { self.offset = offset }
        public var description: String { "two edits overlap at byte \(offset)" }
    }

    /// The application order: by position, then `order`, then `depth`; the remaining keys
    /// (end, text) only make the order total, so the output never depends on how the edits
    /// were collected (a `Set`'s iteration order, say).
    static func precedes(_ a: Edit, _ b: Edit) -> Bool {
        (a.start, a.order, a.depth, a.end) != (b.start, b.order, b.depth, b.end)
            ? (a.start, a.order, a.depth, a.end) < (b.start, b.order, b.depth, b.end)
            : a.text < b.text
    }

    /// `bytes` with every edit applied, all offsets referring to the original bytes.
    ///
    /// Invariants: edits equal in every field are one edit (applied once: the C planner reaches
    /// the same change from several translation units); a replacement repeated with the same
    /// range and text but another order is also the same change. Every other overlap is a
    /// conflict and throws, leaving nothing applied: the caller decides whether that is a bug
    /// (Swift) or a user's situation to report (C: one header annotated under different flags).
    /// Offsets must lie within `bytes` and `start <= end` (a precondition: planners compute
    /// them from the same bytes).
    public static func apply(_ edits: some Sequence<Edit>, to bytes: [UInt8]) throws(Conflict) -> [UInt8] {
        let sorted = Set(edits).sorted(by: precedes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + sorted.count * 40)
        var cursor = 0
        var previous: Edit?
        for edit in sorted {
            precondition(0 <= edit.start && edit.start <= edit.end && edit.end <= bytes.count,
                         "edit [\(edit.start), \(edit.end)) outside a file of \(bytes.count) bytes")
            if edit.start < cursor {
                if let p = previous, p.start == edit.start, p.end == edit.end, p.text == edit.text { continue }
                throw Conflict(offset: edit.start)
            }
            out.append(contentsOf: bytes[cursor..<edit.start])
            out.append(contentsOf: Array(edit.text.utf8))
            cursor = edit.end
            previous = edit
        }
        out.append(contentsOf: bytes[cursor...])
        return out
    }
}
