import Foundation

/// Runs work that recurses deeply in a C library on a thread of its own with a large stack.
/// Vectorscan's compiler recurses over the pattern graph, deeper as the rule set grows; the
/// threads Dispatch and Swift's cooperative pool lend (512 KB stacks) are not where it
/// should find out how deep it may go.
enum LargeStack {
    static let stackBytes = 256 << 20

    /// Calls `body` on a new thread with a `stackBytes` stack and waits for it to return.
    static func run(_ body: @escaping () -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(LargeStackCall(body)).toOpaque()
        guard pthread_create(&thread, &attributes, LargeStackCall.invoke, context) == 0 else {
            // No thread to be had: run here, with the stack there is.
            LargeStackCall.invoke(context)
            return
        }
        pthread_join(thread, nil)
    }
}

/// One call handed to a large-stack thread. The calling thread waits in `pthread_join` while
/// the other runs it, so the two never touch it at once.
private final class LargeStackCall {
    let body: () -> Void

    init(_ body: @escaping () -> Void) { self.body = body }

    static let invoke: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
        guard let context else { return nil }
        Unmanaged<LargeStackCall>.fromOpaque(context).takeRetainedValue().body()
        return nil
    }
}
