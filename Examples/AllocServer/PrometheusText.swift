import CoreMetrics
import Synchronization

/// A minimal swift-metrics backend that renders the Prometheus text exposition format, so the
/// example needs no metrics library beyond swift-metrics itself. A real server would use its
/// existing backend (swift-prometheus, swift-otel...); `AllocTagMetrics` works with any.
final class PrometheusText: MetricsFactory, Sendable {
    private struct Key: Hashable { var label: String; var dimensions: [String] }

    final class Value: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let key: (label: String, dimensions: [(String, String)])
        let type: String
        private let value = Mutex<Double>(0)
        fileprivate let owner: PrometheusText

        fileprivate init(_ label: String, _ dimensions: [(String, String)], type: String, owner: PrometheusText) {
            key = (label, dimensions)
            self.type = type
            self.owner = owner
        }

        var current: Double { value.withLock { $0 } }
        func increment(by amount: Int64) { value.withLock { $0 += Double(amount) } }
        func reset() { value.withLock { $0 = 0 } }
        func record(_ v: Int64) { value.withLock { $0 = Double(v) } }
        func record(_ v: Double) { value.withLock { $0 = v } }
        func recordNanoseconds(_ duration: Int64) { value.withLock { $0 = Double(duration) / 1e9 } }
    }

    private let values = Mutex<[Key: Value]>([:])

    private func make(_ label: String, _ dimensions: [(String, String)], _ type: String) -> Value {
        let key = Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        return values.withLock { values in
            if let existing = values[key] { return existing }
            let value = Value(label, dimensions, type: type, owner: self)
            values[key] = value
            return value
        }
    }

    private func destroy(_ handler: AnyObject) {
        guard let value = handler as? Value else { return }
        values.withLock { $0[Key(label: value.key.label, dimensions: value.key.dimensions.flatMap { [$0.0, $0.1] })] = nil }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler { make(label, dimensions, "counter") }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler { make(label, dimensions, "gauge") }
    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler { make(label, dimensions, "gauge") }
    func destroyCounter(_ handler: CounterHandler) { destroy(handler) }
    func destroyRecorder(_ handler: RecorderHandler) { destroy(handler) }
    func destroyTimer(_ handler: TimerHandler) { destroy(handler) }

    /// Every metric, grouped by name, in the text exposition format (version 0.0.4).
    func render() -> String {
        let all = values.withLock { Array($0.values) }
        var out = ""
        for (label, group) in Dictionary(grouping: all, by: { $0.key.label }).sorted(by: { $0.key < $1.key }) {
            out += "# TYPE \(label) \(group[0].type)\n"
            let lines = group.map { v -> String in
                let dims = v.key.dimensions.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                let number = v.current == v.current.rounded() && abs(v.current) < 1e15 ? String(Int64(v.current)) : String(v.current)
                return label + (dims.isEmpty ? "" : "{\(dims)}") + " " + number
            }
            out += lines.sorted().joined(separator: "\n") + "\n"
        }
        return out
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
