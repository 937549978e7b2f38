/*
 * wiretrail TAP helper: a small process that opens a TAP device (tap_common.h) and relays
 * Ethernet frames between it and its parent over stdin/stdout, each frame prefixed by its length
 * as a 16-bit big-endian integer:
 *
 *   tap ──read()──▶ [len][frame][len][frame]… ──stdout──▶ parent
 *   parent ──stdin──▶ [len][frame]… ──write()──▶ tap
 *
 * Usage: wiretrail-tap-helper NAME [NETNS_PATH]
 * Before relaying it prints one line on stdout: "ok <name>\n" or "error <message>\n".
 * Exits when stdin reaches end of file (the parent went away).
 *
 * The alternative to the N-API addon (tap_addon.c), for machines where Node's headers are not
 * installed; docs/tap.md compares the two.
 */
#include "tap_common.h"
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>

#define OUTCAP (256 * 1024)
#define INCAP (256 * 1024)
#define MAXFRAME 65535

static unsigned char outbuf[OUTCAP];
static size_t outlen = 0;
static unsigned char inbuf[INCAP];
static size_t inlen = 0;

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd pf = {fd, POLLOUT, 0};
        poll(&pf, 1, -1);
        continue;
      }
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s NAME [NETNS_PATH]\n", argv[0]);
    return 2;
  }
  char name[IFNAMSIZ], err[512];
  int fd = wt_tap_open(argv[1], argc > 2 ? argv[2] : NULL, name, err, sizeof err);
  if (fd < 0) {
    printf("error %s\n", err);
    fflush(stdout);
    return 1;
  }
  printf("ok %s\n", name);
  fflush(stdout);
  struct pollfd pfd[2] = {{fd, POLLIN, 0}, {0, POLLIN, 0}};
  for (;;) {
    if (poll(pfd, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (pfd[0].revents & POLLIN) {
      /* Drain the device into one buffered write to the parent. */
      for (;;) {
        if (outlen + 2 + MAXFRAME > OUTCAP) break;
        ssize_t r = read(fd, outbuf + outlen + 2, MAXFRAME);
        if (r <= 0) break;
        outbuf[outlen] = (unsigned char)(r >> 8);
        outbuf[outlen + 1] = (unsigned char)r;
        outlen += 2 + (size_t)r;
      }
      if (outlen > 0) {
        if (write_all(1, outbuf, outlen) != 0) return 0;
        outlen = 0;
      }
    }
    if (pfd[1].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(0, inbuf + inlen, INCAP - inlen);
      if (r == 0) return 0;
      if (r < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return 1;
      }
      inlen += (size_t)r;
      size_t off = 0;
      while (inlen - off >= 2) {
        size_t len = ((size_t)inbuf[off] << 8) | inbuf[off + 1];
        if (inlen - off < 2 + len) break;
        ssize_t w;
        do w = write(fd, inbuf + off + 2, len);
        while (w < 0 && errno == EINTR);
        /* EAGAIN/ENOBUFS: the kernel dropped the frame, like a full NIC queue. */
        off += 2 + len;
      }
      memmove(inbuf, inbuf + off, inlen - off);
      inlen -= off;
    }
  }
}
