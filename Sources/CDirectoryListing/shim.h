/* Lists a folder straight from its open descriptor with the kernel's getdents64, which glibc
   declares only under _GNU_SOURCE (hidden from Swift's Glibc module). fdopendir would need a
   dup of the descriptor the walk keeps open, two fcntl calls and a close per folder, and a
   32 KB DIR buffer each time. */
#pragma once
#include <sys/syscall.h>
#include <unistd.h>

/* Fills `buffer` with linux_dirent64 records (d_ino u64, d_off s64, d_reclen u16, d_type u8,
   d_name NUL-terminated); returns the bytes filled, 0 at the end, -1 with errno set. */
static inline long custos_list_directory(int descriptor, void *buffer, unsigned long length) {
#if defined(__linux__) && defined(SYS_getdents64)
    return syscall(SYS_getdents64, descriptor, buffer, length);
#else
    (void)descriptor; (void)buffer; (void)length;
    return -2; /* not available: the caller lists with fdopendir */
#endif
}
