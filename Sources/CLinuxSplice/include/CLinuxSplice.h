#ifndef GATEHOUSE_CLINUXSPLICE_H
#define GATEHOUSE_CLINUXSPLICE_H

#include <stddef.h>
#include <sys/types.h>

/// Moves up to `length` bytes from descriptor `from` to descriptor `to` inside the kernel with splice(2); one of
/// them must be a pipe. Never blocks on the pipe (the sockets are non-blocking already). Returns the bytes moved,
/// 0 at the end of input, or -1 with errno set (ENOSYS where splice does not exist).
ssize_t gatehouse_splice(int from, int to, size_t length);

/// Creates a non-blocking, close-on-exec pipe in `fds` (read end, write end) and asks for `capacity` bytes of
/// room. Returns the room it has (the system may cap the request), or -1 with errno set.
int gatehouse_make_pipe(int fds[2], int capacity);

#endif
