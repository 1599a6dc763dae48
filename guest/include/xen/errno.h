#ifndef XEN_ERRNO_H
#define XEN_ERRNO_H

/* Xen's (Linux-compatible) values; the subset the image uses. */
#define EPERM    1
#define ENOENT   2
#define EIO      5
#define EFAULT  14
#define EBUSY   16
#define EINVAL  22
#define ENODATA 61

#endif /* XEN_ERRNO_H */
