/*
 * LD_PRELOAD shim for running Swift programs with an async main under valgrind 3.19.
 *
 * The async main parks the main thread in libdispatch's _dispatch_sigsuspend(), which calls sigsuspend() with a
 * pointer to a `static const sigset_t` (read-only memory). valgrind's rt_sigsuspend wrapper edits the mask in place
 * to keep its own signals unblocked and dies with an internal SIGSEGV ("the 'impossible' happened", si_code=2).
 * This sigsuspend() hands the kernel a writable copy instead. Same behaviour, no valgrind crash.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)(_NSIG / 8));
}
