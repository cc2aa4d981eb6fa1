/// What the C front end treats as an allocator and how it may edit: the `c` section of
/// `.alloctag.json` (`AllocTagConfig`, which decodes and finds the file) merged with the
/// command line's `--allocator`, `--noprof`, `--root` and `--no-infer-helpers`.
public typealias CConfig = AllocTagConfig.C
