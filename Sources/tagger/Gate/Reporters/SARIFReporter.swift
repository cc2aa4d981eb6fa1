import TaggerCore

/// SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.
///
/// Every catalogue rule is listed in `tool.driver.rules` (results point at them by `ruleId` and
/// `ruleIndex`). Paths are repository-relative URIs against `%SRCROOT%`. Columns are UTF-16 code
/// units, SARIF's default `columnKind`. Whole-run verdicts (coverage below --min-coverage) have
/// no place in the source, and code scanning rejects results without one, so they go to
/// `invocations[0].toolExecutionNotifications`; the invocation's `exitCode` is the run's.
enum SARIFReporter {
    static let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
    static let fingerprintKey = "alloctag/v1"

    struct Log: Encodable {
        var schema = SARIFReporter.schema
        var version = "2.1.0"
        var runs: [Run]
        enum CodingKeys: String, CodingKey {
            case schema = "$schema", version, runs
        }
    }
    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
        var invocations: [Invocation]
        var properties: Properties
    }
    struct Tool: Encodable { var driver: Driver }
    struct Driver: Encodable {
        var name, version: String
        var rules: [RuleDescriptor]
    }
    struct Text: Encodable { var text: String }
    struct RuleDescriptor: Encodable {
        var id: String
        var shortDescription: Text
        var help: Text
        var defaultConfiguration: Configuration
    }
    struct Configuration: Encodable { var level: String }
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var locations: [Location]
        var partialFingerprints: [String: String]
    }
    struct Location: Encodable { var physicalLocation: PhysicalLocation }
    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }
    struct ArtifactLocation: Encodable {
        var uri: String
        var uriBaseId = "%SRCROOT%"
    }
    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int?
    }
    struct Invocation: Encodable {
        var executionSuccessful = true
        var exitCode: Int32
        var toolExecutionNotifications: [Notification]
    }
    struct Notification: Encodable {
        var descriptor: Descriptor
        var level: String
        var message: Text
    }
    struct Descriptor: Encodable { var id: String }
    struct Properties: Encodable {
        var coverage: CoverageProperty?
    }
    struct CoverageProperty: Encodable {
        var sites, tagged: Int
        var percent: String
    }

    static func render(_ report: GateReport, tool: Reporter.Tool) -> String {
        let rules = Rules.all
        var results: [Result] = []
        var notifications: [Notification] = []
        for item in report.items {
            guard let file = item.file else {
                notifications.append(Notification(descriptor: .init(id: item.ruleID), level: level(item.severity),
                                                  message: .init(text: item.message)))
                continue
            }
            let region = item.line.map { Region(startLine: $0, startColumn: item.utf16Column ?? item.column) }
            results.append(Result(
                ruleId: item.ruleID,
                ruleIndex: rules.firstIndex { $0.id == item.ruleID } ?? -1,
                level: level(item.severity),
                message: .init(text: item.message),
                locations: [Location(physicalLocation: .init(artifactLocation: .init(uri: uri(file)), region: region))],
                partialFingerprints: [fingerprintKey: item.fingerprint]))
        }
        let driver = Driver(name: tool.name, version: tool.version, rules: rules.map {
            RuleDescriptor(id: $0.id, shortDescription: .init(text: $0.shortDescription), help: .init(text: $0.help),
                           defaultConfiguration: .init(level: level($0.defaultSeverity)))
        })
        let coverage = report.coverage.map { CoverageProperty(sites: $0.total.sites, tagged: $0.total.tagged, percent: $0.total.percentText) }
        let run = Run(tool: Tool(driver: driver), results: results,
                      invocations: [Invocation(exitCode: report.exitCode, toolExecutionNotifications: notifications)],
                      properties: Properties(coverage: coverage))
        return encodePretty(Log(runs: [run]))
    }

    static func level(_ severity: Finding.Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    /// A relative URI reference: RFC 3986 unreserved characters and `/` stay, the rest is
    /// percent-encoded byte by byte (a space becomes %20).
    static func uri(_ path: String) -> String {
        var out = path.hasPrefix("/") ? "file://" : ""
        for byte in path.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~/".contains(c) {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
