/*
 * swift_task.h - the Swift runtime's task-local push and pop, for TagRuntime's AllocTagTaskScope.
 *
 * These are the entry points behind TaskLocal.withValue (swiftcall; the value is taken at +1 and
 * typed by its metadata). A scope is one line with a `defer`, so it cannot take withValue's
 * closure; it pushes and pops instead, strictly nested within one task. Only Swift code includes
 * this header (through the CAllocTag module): C users of the runtime never reference these
 * symbols, so the runtime itself does not depend on Swift concurrency.
 */
#ifndef ALLOC_TAG_SWIFT_TASK_H
#define ALLOC_TAG_SWIFT_TASK_H

#include <stdint.h>

extern void swift_task_localValuePush(const void *key, void *value, const void *value_type) __attribute__((swiftcall));
extern void swift_task_localValuePop(void) __attribute__((swiftcall));

/* Binds `tag` (a UInt-valued task-local: `type` is UInt's metadata) for the running task. */
static inline __attribute__((always_inline)) void alloc_tag_task_push(const void *key, uintptr_t tag, const void *type)
{
	swift_task_localValuePush(key, &tag, type);
}

static inline __attribute__((always_inline)) void alloc_tag_task_pop(void)
{
	swift_task_localValuePop();
}

#endif /* ALLOC_TAG_SWIFT_TASK_H */
