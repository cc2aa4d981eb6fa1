import Dispatch
import TagRuntime

// Async scopes (`AllocTagTaskScope`) on the cooperative pool: many tasks, two scoped functions
// and unscoped noise, each allocating before and after suspensions. Every byte lands on its
// own task's tag wherever the task resumed, none leaks to the noise (exact totals), and an
// explicit site inside a task scope still wins.

/// One slot per task and phase, allocated before the tasks run: storing into it allocates nothing.
struct Slots: @unchecked Sendable {
    let base: UnsafeMutablePointer<[Box]>
    let count: Int
    init(count: Int) {
        base = .allocate(capacity: count)
        base.initialize(repeating: [], count: count)
        self.count = count
    }
    func set(_ i: Int, _ value: [Box]) { base[i] = value }
    func clear() { for i in 0..<count { base[i] = [] } }
}

@inline(never) func evenTask(_ slots: Slots, _ i: Int) async {
    let __allocScope = AllocTagTaskScope(&taskEvenTag); defer { __allocScope.end() }
    slots.set(3 * i, makeBoxes())
    await Task.yield()
    slots.set(3 * i + 1, makeBoxes())
    for _ in 0..<(i % 7) { await Task.yield() }
    slots.set(3 * i + 2, withAllocTag(&taskSiteTag) { makeBoxes() })
}

@inline(never) func oddTask(_ slots: Slots, _ i: Int) async {
    let __allocScope = AllocTagTaskScope(&taskOddTag); defer { __allocScope.end() }
    await Task.yield()
    slots.set(3 * i, makeBoxes())
    for _ in 0..<(i % 5) { await Task.yield() }
    slots.set(3 * i + 1, makeBoxes())
}

@inline(never) func noiseTask(_ slots: Slots, _ i: Int) async {
    slots.set(3 * i, makeBoxes())
    await Task.yield()
    slots.set(3 * i + 1, makeBoxes())
}

/// Runs `tasks` tasks (a third of each kind) to completion on the cooperative pool.
func runTaskScenario(tasks: Int) {
    let slots = Slots(count: 3 * tasks)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<tasks {
                group.addTask {
                    switch i % 3 {
                    case 0: await evenTask(slots, i)
                    case 1: await oddTask(slots, i)
                    default: await noiseTask(slots, i)
                    }
                }
            }
        }
        done.signal()
    }
    done.wait()
    let boxes = (bytes: Int64(10 * 32 + 32 + 10 * 8), calls: Int64(11))
    let even = Int64((tasks + 2) / 3), odd = Int64((tasks + 1) / 3)
    expect("task scope: every byte of the even tasks, across awaits", "probe.taskEven",
           bytes: 2 * even * boxes.bytes, calls: 2 * even * boxes.calls)
    expect("task scope: every byte of the odd tasks, across awaits", "probe.taskOdd",
           bytes: 2 * odd * boxes.bytes, calls: 2 * odd * boxes.calls)
    expect("task scope: an explicit site inside wins", "probe.taskSite", bytes: even * boxes.bytes, calls: even * boxes.calls)
    slots.clear()
    expect("task scope freed", "probe.taskEven", bytes: 0, calls: 0)
    expect("task scope freed (odd)", "probe.taskOdd", bytes: 0, calls: 0)
    expect("task site freed", "probe.taskSite", bytes: 0, calls: 0)
}
