import Dispatch

/// A record loaded asynchronously: the object header (16 bytes) and three words.
public final class Record: @unchecked Sendable {
    public let id: Int
    public var payload: [Int] = []
    public var tags: [String] = []

    public init(id: Int) {
        self.id = id
    }
}

/// Keeps one line per record it is told about; an actor, so `write` runs on its executor.
public actor Journal {
    public private(set) var lines: [String] = []

    public init(expecting count: Int) {
        lines.reserveCapacity(count)
    }

    public func write(_ record: Record) {
        lines.append("record \(record.id + 100000) loaded as entry \(lines.count + 1000)")
    }
}

/// Loads records with suspensions between their allocations.
public struct Loader: Sendable {
    public let journal: Journal

    public init(journal: Journal) {
        self.journal = journal
    }

    /// One record: the instance before the first suspension, its payload after a
    /// `Task.yield()`, its tags after a continuation resumed from another thread.
    public func load(_ id: Int) async -> Record {
        let record = Record(id: id)
        await Task.yield()
        record.payload = Array(repeating: id, count: 16)
        let doubled = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: id * 2) }
        }
        record.tags = ["loaded", "d\(doubled % 10)"]
        await journal.write(record)
        return record
    }

    /// `count` records, a child task each on the cooperative pool, kept in id order.
    public func loadAll(_ count: Int) async -> [Record] {
        await withTaskGroup(of: Record.self) { group in
            for id in 0..<count {
                group.addTask { await self.load(id) }
            }
            var records: [Record] = []
            records.reserveCapacity(count)
            for await record in group {
                records.append(record)
            }
            return records.sorted { $0.id < $1.id }
        }
    }

    /// A task started from synchronous code, its body several statements that suspend.
    public func startBatch(_ ids: Range<Int>) -> Task<[Record], Never> {
        Task {
            var out: [Record] = []
            out.reserveCapacity(ids.count)
            for id in ids {
                out.append(await load(id))
            }
            return out
        }
    }

    /// A task started from synchronous code whose body is one expression that allocates.
    public func startNumbers(_ count: Int) -> Task<[Int], Never> {
        Task { Array(repeating: count, count: count) }
    }
}

/// Work that belongs to no scope of this package: detached tasks (they inherit no task-local)
/// that allocate after every suspension while the loaders run on the same threads. Their
/// bytes must stay `<untagged>`: a tag left on a thread by a suspended task would show here.
// alloctag:no-scope
/// (Arrays of 3, 6, 9... bytes: 35, 38, 41... byte requests, none a dispatch continuation's 64.)
public func backgroundChurn(tasks: Int, rounds: Int) -> Task<[[UInt8]], Never> {
    Task.detached {
        // alloctag:no-scope
        await withTaskGroup(of: [UInt8].self) { group in
            for t in 0..<tasks {
                group.addTask {
                    // alloctag:no-scope
                    var kept: [UInt8] = []
                    for r in 0..<rounds {
                        await Task.yield()
                        kept = kept + [UInt8(t % 256), UInt8(r), 1]
                    }
                    return kept
                }
            }
            var all: [[UInt8]] = []
            for await kept in group { all.append(kept) }
            return all
        }
    }
}
