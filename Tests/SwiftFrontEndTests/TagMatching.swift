import TaggerTestSupport

/// Replaces `$T1`, `$T2`… in an expected text by the tag names an annotation chose, checking
/// that each placeholder always stands for one name, distinct placeholders for distinct
/// names, and every name has the generated shape.
func matchTags(expected: String, actual: String) -> (matched: Bool, names: [String: String], detail: String) {
    var names: [String: String] = [:]
    var e = Substring(expected), a = Substring(actual)
    while !e.isEmpty {
        if e.hasPrefix("$T") {
            let digits = e.dropFirst(2).prefix { $0.isNumber }
            let key = "T" + digits
            e = e.dropFirst(2 + digits.count)
            let name = a.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard name.hasPrefix("allocTag_"), name.count > 22, name.suffix(12).allSatisfy({ $0.isHexDigit }) else {
                return (false, names, "not a generated tag name at: \(a.prefix(60))")
            }
            if let previous = names[key], previous != String(name) {
                return (false, names, "$\(key) stands for both \(previous) and \(name)")
            }
            if names[key] == nil, names.values.contains(String(name)) {
                return (false, names, "\(name) stands for two placeholders")
            }
            names[key] = String(name)
            a = a.dropFirst(name.count)
            continue
        }
        guard let ec = e.first, let ac = a.first, ec == ac else {
            return (false, names, "differs at expected: «\(e.prefix(60))» actual: «\(a.prefix(60))»")
        }
        e = e.dropFirst(); a = a.dropFirst()
    }
    return a.isEmpty ? (true, names, "") : (false, names, "actual has extra text: «\(a.prefix(60))»")
}
