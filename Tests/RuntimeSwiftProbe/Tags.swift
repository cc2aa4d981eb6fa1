import TagRuntime

// One tag per scenario, told apart by function name (the probe looks entries up by it).
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var classTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.classInstances").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var arrayTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.array").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var stringTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.string").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var pointerTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.pointer").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var alignedTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.aligned").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var outerTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.outer").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var innerTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.inner").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var adjacentATag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.adjacentA").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var adjacentBTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.adjacentB").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var threadTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.crossThread").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var switchTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.switch").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var neverUsedTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.neverUsed").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var scopeTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.scope").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var scopeSiteTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.scopeSite").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var taskEvenTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.taskEven").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var taskOddTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.taskOdd").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var taskSiteTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.taskSite").utf8Start }, { StaticString("Probe.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var noncopyableTag: AllocTagRecord = (0x3147_4154, 1, #line, 0,
    { nil }, { StaticString("probe.noncopyable").utf8Start }, { StaticString("Probe.swift").utf8Start })
