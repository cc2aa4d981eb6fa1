import CAllocTag
#if canImport(Glibc)
import Glibc
#endif

/// The run-time switch and mode (the kernel's sysctl and boot parameter).
public enum AllocProfiling {
    public enum Mode: Sendable {
        /// Started with `ALLOCTAG_PROFILING=never`: no references, cannot be switched on.
        case never
        /// A 16-byte reference per allocation (`ALLOCTAG_PROFILING=1,header`).
        case header
        /// The default: a 4-byte reference beside the object, on the runtime's slabs up to
        /// 512 bytes; the 16-byte header on bigger blocks.
        case compressed
    }

    public struct SwitchError: Error, CustomStringConvertible {
        public var description: String
    }

    public static var mode: Mode {
        switch alloc_tag_mode() {
        case ALLOC_TAG_MODE_NEVER: return .never
        case ALLOC_TAG_MODE_COMPRESSED: return .compressed
        default: return .header
        }
    }

    /// Whether allocations are being counted now.
    public static var isEnabled: Bool { alloc_tag_profiling_enabled() }

    /// Turns counting on or off. Throws when the mode is `never` or in debug mode (read-only,
    /// as the kernel's sysctl).
    public static func setEnabled(_ enabled: Bool) throws {
        if alloc_tag_set_profiling(enabled) != 0 {
            throw SwitchError(description: String(cString: alloc_tag_last_error()))
        }
    }

    /// Starts live inspection in this process (as `ALLOCTAG_INSPECT=1` does at start): its
    /// owner or root can then read its report with `tagger allocinfo --pid`. Idempotent.
    public static func startInspection() throws {
        if alloc_tag_inspect_start() != 0 {
            throw SwitchError(description: "live inspection could not start: \(String(cString: strerror(errno)))")
        }
    }

    /// The report of this process now.
    public static func report() -> AllocationReport { AllocationReport.current() }

    /// The report of this process now, through the kernel's filters.
    public static func report(_ filter: AllocationFilter) -> AllocationReport { AllocationReport.current(filter) }
}
