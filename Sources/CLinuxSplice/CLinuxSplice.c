#define _GNU_SOURCE
#include "CLinuxSplice.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

ssize_t gatehouse_splice(int from, int to, size_t length) {
#ifdef __linux__
    return splice(from, NULL, to, NULL, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
#else
    (void)from;
    (void)to;
    (void)length;
    errno = ENOSYS;
    return -1;
#endif
}

int gatehouse_make_pipe(int fds[2], int capacity) {
#ifdef __linux__
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    // A larger pipe moves more per call; keep the default room when the system refuses (pipe-max-size).
    (void)fcntl(fds[1], F_SETPIPE_SZ, capacity);
    int room = fcntl(fds[1], F_GETPIPE_SZ);
    if (room < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    return room;
#else
    (void)fds;
    (void)capacity;
    errno = ENOSYS;
    return -1;
#endif
}
