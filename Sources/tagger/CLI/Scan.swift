import ArgumentParser
import Foundation
import TaggerC
import TaggerCore

extension Tagger {
    /// `tagger scan`: every allocation site with its function, whether it is tagged and why not.
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List allocation call sites in C and Swift sources: function, tagged or not, and why.",
            discussion: "Exit status: 0 listed; 64 usage; 65 a file could not be parsed (its errors are listed).")

        @OptionGroup var sources: CSourceOptions

        @Flag(help: "Print one JSON document ({sites, findings, helpers, indirectCalls, files}, Swift and C together) instead of text.")
        var json = false

        func run() throws {
            let routed = try SourceDispatch.route(sources)
            let unsupported = SourceDispatch.reportUnsupported(routed, command: "scan")
            guard !routed.c.isEmpty || !routed.swift.isEmpty else { throw ExitCode(TaggerExit.usage) }
            // One result, printed once: Swift and C inputs together make one JSON document.
            var result = ScanResult()
            if !routed.swift.isEmpty { result.append(try SwiftSources.scan(routed.swift, options: sources)) }
            if !routed.c.isEmpty {
                do {
                    result.append(try CFrontEnd.scan(files: routed.c, flags: sources.flagSource, config: try sources.cConfig()))
                } catch {
                    throw SourceDispatch.fail(error, command: "scan")
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(Self.text(result), terminator: "")
            }
            if result.hasErrors { throw ExitCode(TaggerExit.dataError) }
            if unsupported { throw ExitCode(TaggerExit.usage) }
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
            for f in r.findings where f.ruleID != "untagged-site" { out += f.compilerStyle + "\n" }
            let tagged = r.sites.filter(\.tagged).count
            let recipes = r.helpers.filter(\.recipe).count
            out += "\(r.sites.count) sites, \(tagged) tagged, \(r.sites.count - tagged) untagged; \(r.helpers.count) helpers (\(recipes) with the _noprof recipe); \(r.files.count) files\n"
            return out
        }
    }
}
