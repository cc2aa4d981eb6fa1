import SQLiteNIO
import TagRuntime

// Tests/SwiftPackages/SQLiteNIO/run.sh's workload on vapor/sqlite-nio, annotated as a user would:
// an in-memory database opened through SQLiteNIO, a table filled with many rows (text, real,
// integer and blob columns, bound in batches), an index, then a query through the async API and
// an aggregate through the EventLoopFuture API whose rows are kept live with the open database.
// It prints the live bytes on sqlite-nio's lines (its Swift and its SQLite amalgamation), on this
// file's lines and on <untagged>, then the largest sites.
let rowCount = 20_000
let batch = 500

func openDatabase() async throws -> SQLiteConnection {
    let db = try await SQLiteConnection.open(storage: .memory)
    _ = try await db.query("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category INTEGER NOT NULL, score REAL, payload BLOB)")
    return db
}

/// Inserts `rowCount` rows in one transaction, `batch` rows per statement, then indexes them.
func fill(_ db: SQLiteConnection) async throws {
    _ = try await db.query("BEGIN")
    for start in stride(from: 0, to: rowCount, by: batch) {
        var binds: [SQLiteData] = []
        for i in start..<min(start + batch, rowCount) {
            var payload = ByteBuffer()
            payload.writeString(String(repeating: "p", count: 24 + i % 40))
            binds += [.text("item-\(i)-of-the-workload-table"), .integer(i % 17), .float(Double(i) / 7), .blob(payload)]
        }
        let values = Array(repeating: "(?, ?, ?, ?)", count: binds.count / 4).joined(separator: ", ")
        _ = try await db.query("INSERT INTO items (name, category, score, payload) VALUES \(values)", binds)
    }
    _ = try await db.query("COMMIT")
    _ = try await db.query("CREATE INDEX items_by_name ON items (name)")
}

/// Every row with a score above 10, in name order (the async API).
func load(_ db: SQLiteConnection) async throws -> [SQLiteRow] {
    try await db.query("SELECT id, name, category, score, payload FROM items WHERE score > ? ORDER BY name", [.float(10)])
}

/// One row per category (the EventLoopFuture API).
func summarize(_ db: SQLiteConnection) throws -> [SQLiteRow] {
    let future = db.query("SELECT category, COUNT(*) AS n, AVG(score) AS mean, group_concat(name) AS names FROM items GROUP BY category")
    return try future.wait()
}

let db = try await openDatabase()
try await fill(db)
let rows = try await load(db)
let summary = try summarize(db)

let report = AllocProfiling.report()
var package: Int64 = 0, own: Int64 = 0, untagged: Int64 = 0, total: Int64 = 0, c: Int64 = 0
for e in report.entries {
    total += e.bytes
    // Names are the package's (`Sources/SQLiteNIO/...`: the runtime cuts the package root), or
    // absolute where a setting keeps them as compiled.
    let file = "/" + e.file
    if e.isUntagged { untagged += e.bytes } else if file.contains("/Sources/SQLiteNIO/") || file.contains("/Sources/VaporCSQLite/") {
        package += e.bytes
        if file.contains("/Sources/VaporCSQLite/") { c += e.bytes }
    } else { own += e.bytes }
}
print("live \(total) sqlite-nio \(package) workload \(own) untagged \(untagged) amalgamation \(c) rows \(rows.count) categories \(summary.count)")
for e in report.entries.sorted(by: { $0.bytes > $1.bytes }).prefix(10) { print(e.allocinfoLine, terminator: "") }
try await db.close() as Void
