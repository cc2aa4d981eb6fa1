// `Glob` (and the site filter and ranking) live in AllocSiteRules, which the runtime library
// shares: the runtime must not depend on the tagger, and a pattern must mean the same in both.
@_exported import AllocSiteRules
