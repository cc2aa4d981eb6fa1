#if canImport(Glibc)
import Glibc
#endif

/// Frees `pointer` on a new thread and waits for it (a free by another thread than the
/// allocating one). Outside main.swift so it is not main-actor isolated.
func deallocateOnAnotherThread(_ pointer: UnsafeMutableRawPointer) {
    var thread = pthread_t()
    pthread_create(&thread, nil, { arg in
        arg!.deallocate()
        return nil
    }, pointer)
    pthread_join(thread, nil)
}
