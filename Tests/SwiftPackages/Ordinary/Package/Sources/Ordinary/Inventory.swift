public enum InventoryError: Error {
    case unknown(String)
}

/// A value type with `mutating` methods: a dictionary grown one key at a time, a log of
/// interpolated lines, and labels made by `$0` closures.
public struct Inventory {
    public private(set) var stock: [String: Int] = [:]
    /// What each successful `take` found left.
    public private(set) var log: [Int] = []

    public init() {}

    /// Receives `count` kinds of item, one unit each: the dictionary grows to `count` keys.
    public mutating func receive(kinds count: Int) {
        for i in 0..<count {
            stock["k\(i + 10000)", default: 0] += 1
        }
    }

    /// Takes one unit of `item`; throws for an item never received. The log is written by
    /// `defer` on every path that gets past the guard, the early return included.
    public mutating func take(_ item: String) throws -> Int {
        guard let left = stock[item] else {
            throw InventoryError.unknown("no such item in stock: \(item)")
        }
        defer { log.append(left) }
        if left == 0 { return 0 }
        stock[item] = left - 1
        return left - 1
    }

    /// One label per kind, sorted: `map` with a `$0` closure, then `sorted`.
    public func labels() -> [String] {
        stock.keys.map { "label for the item \($0)!" }.sorted()
    }

    /// Units in stock by the parity of their number, through `filter` and `reduce(into:)` with `$0`/`$1`.
    public func countsByParity() -> [Bool: Int] {
        stock.filter { $0.value > 0 }.reduce(into: [:]) { $0[Int($1.key.dropFirst())! % 2 == 0, default: 0] += $1.value }
    }
}

/// Callbacks: each closure captures a string and a number, so its context is a heap object.
public final class Notifier {
    public private(set) var handlers: [() -> String] = []

    public init() {}

    public func register(_ count: Int) {
        handlers.reserveCapacity(count)
        for i in 0..<count {
            let name = "handler number \(i + 100000)"
            handlers.append { name + "!" + String(i) }
        }
    }
}
