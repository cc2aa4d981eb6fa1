import Foundation
import TaggerCore

extension Workspace {
    /// `tagger scan`: one result over every language, printed once (one JSON document, or
    /// text ending in one summary). 0 listed; 64 usage; 65 a file did not parse.
    public func scan(json: Bool) throws -> Int32 {
        let routed = try route(command: "scan")
        guard !routed.isEmpty else { return TaggerExit.usage }
        let result = try scan(routed, command: "scan")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(Self.text(result), terminator: "")
        }
        if result.hasErrors { return TaggerExit.dataError }
        return routed.unsupported.isEmpty ? TaggerExit.clean : TaggerExit.usage
    }

    static func text(_ r: ScanResult) -> String {
        var out = ""
        for s in r.sites {
            // C functions are bare names, Swift declarations already carry their parameter list.
            let place = s.function.map { "in \($0.hasSuffix(")") ? $0 : $0 + "()")" } ?? s.macro.map { "in macro \($0)" } ?? "at file scope"
            let macro = s.function != nil ? s.macro.map { " via macro \($0)" } ?? "" : ""
            out += "\(s.location.description): \(s.callee)() \(place)\(macro): "
            out += s.tagged ? "tagged\n" : "untagged: \(s.reason ?? "")\n"
        }
        for c in r.indirectCalls {
            let place = c.function.map { "in \($0)()" } ?? "at file scope"
            out += "\(c.location.description): indirect call \(c.callee)() \(place): "
            out += (c.decided ? "an allocation site: " : "not an allocation site: ") + c.reason + "\n"
        }
        for f in r.findings where f.ruleID != Rules.untaggedSite.id { out += f.compilerStyle + "\n" }
        let tagged = r.sites.filter(\.tagged).count
        let recipes = r.helpers.filter(\.recipe).count
        out += "\(r.sites.count) sites, \(tagged) tagged, \(r.sites.count - tagged) untagged; \(r.helpers.count) helpers (\(recipes) with the _noprof recipe); \(r.files.count) files\n"
        return out
    }
}
