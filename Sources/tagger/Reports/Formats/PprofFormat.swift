/// pprof `profile.proto`, gzipped, for `go tool pprof`, speedscope and pprof's web UI.
///
/// A static call-site profile needs no addresses or binaries: each site becomes one Function
/// (name = function, filename = file, start_line = the site's line), one Location with one Line
/// pointing at it, and one Sample with values [inuse_objects (count), inuse_space (bytes)];
/// `default_sample_type` is inuse_space. From an extended report every sample also carries
/// [alloc_objects (count), alloc_space (bytes), peak_space (bytes)] (Go's heap profile names
/// for the cumulative values; `go tool pprof -sample_index=alloc_space`). A site's module and ` accurate:no` travel as string
/// labels `module` and `accurate`. Sites whose counts are both zero are left out.
///
/// pprof's `-top` groups by function name, so several sites in one function share a row there;
/// `-lines` (or speedscope, which keys frames by function and line) shows every site. One
/// Mapping marked as already symbolized (functions, file names, line numbers) tells pprof not
/// to look for a binary. pprof strips `<...>` from names as C++ template arguments, so the
/// synthetic `<untagged>` function is named `(untagged)` in the profile.
///
/// Field numbers (github.com/google/pprof/proto/profile.proto): Profile.sample_type=1, sample=2,
/// mapping=3, location=4, function=5, string_table=6, comment=13, default_sample_type=14;
/// Sample.location_id=1, value=2, label=3; Label.key=1, str=2; Mapping.id=1, has_functions=7,
/// has_filenames=8, has_line_numbers=9; Location.id=1, mapping_id=2, line=4; Line.function_id=1, line=2;
/// Function.id=1, name=2, system_name=3, filename=4, start_line=5; ValueType.type=1, unit=2.
public enum PprofFormat {
    /// The gzipped profile, as pprof tools read it.
    public static func render(_ report: AllocinfoReport) -> [UInt8] {
        Gzip.wrap(encode(report))
    }

    /// The function name of the synthetic `<untagged>` site (see above).
    public static let untaggedName = "(untagged)"

    /// The uncompressed `Profile` message.
    public static func encode(_ report: AllocinfoReport) -> [UInt8] {
        var strings = StringTable()
        let objects = (strings["inuse_objects"], strings["count"])
        let space = (strings["inuse_space"], strings["bytes"])
        let merged = report.merged()
        let extended = merged.peak != nil
        let sites = merged.entries.filter { $0.bytes != 0 || $0.calls != 0 || ($0.history?.totalCalls ?? 0) != 0 }
        var types = [objects, space]
        if extended {
            types += [(strings["alloc_objects"], objects.1), (strings["alloc_space"], space.1), (strings["peak_space"], space.1)]
        }

        var p = ProtobufWriter()
        for (type, unit) in types {
            p.message(1) { $0.int(1, type); $0.int(2, unit) }
        }
        for (i, e) in sites.enumerated() {
            p.message(2) { s in
                s.packed(1, [Int64(i + 1)])
                let h = e.history
                s.packed(2, [e.calls, e.bytes] + (extended ? [h?.totalCalls ?? 0, h?.totalBytes ?? 0, h?.peakBytes ?? 0] : []))
                if let module = e.site.module {
                    let (k, v) = (strings["module"], strings[module])
                    s.message(3) { $0.int(1, k); $0.int(2, v) }
                }
                if !e.accurate {
                    let (k, v) = (strings["accurate"], strings["no"])
                    s.message(3) { $0.int(1, k); $0.int(2, v) }
                }
            }
        }
        p.message(3) { m in
            m.int(1, 1)
            m.bool(7, true)
            m.bool(8, true)
            m.bool(9, true)
        }
        for (i, e) in sites.enumerated() {
            p.message(4) { l in
                l.int(1, Int64(i + 1))
                l.int(2, 1)
                l.message(4) { $0.int(1, Int64(i + 1)); $0.int(2, Int64(e.site.line)) }
            }
        }
        for (i, e) in sites.enumerated() {
            let (name, file) = (strings[e.site.isUntagged ? untaggedName : e.site.function], strings[e.site.file])
            p.message(5) { f in
                f.int(1, Int64(i + 1))
                f.int(2, name)
                f.int(3, name)
                f.int(4, file)
                f.int(5, Int64(e.site.line))
            }
        }
        let comment = strings["alloctag allocinfo: \(report.source)"]
        let defaultType = space.0
        for s in strings.all { p.string(6, s) }
        p.packed(13, [comment])
        p.int(14, defaultType)
        return p.bytes
    }

    /// Deduplicated strings; index 0 is "" as profile.proto requires.
    private struct StringTable {
        private(set) var all: [String] = [""]
        private var index: [String: Int64] = ["": 0]

        subscript(_ s: String) -> Int64 {
            mutating get {
                if let i = index[s] { return i }
                let i = Int64(all.count)
                all.append(s)
                index[s] = i
                return i
            }
        }
    }
}
