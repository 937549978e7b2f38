/*
 * Opening a Linux TAP device, shared by the N-API addon (tap_addon.c) and the stdio helper
 * (tap_helper.c). See docs/tap.md.
 *
 * Linux: Documentation/networking/tuntap.rst. A TAP device is created by opening
 * /dev/net/tun and calling ioctl(TUNSETIFF) with IFF_TAP | IFF_NO_PI: each read() then returns
 * exactly one Ethernet frame (no FCS, no packet-information prefix) and each write() injects
 * one. The device is not persistent: it disappears when the last descriptor is closed.
 *
 * To create the device inside a network namespace, the calling thread joins the namespace
 * (setns(2) with CLONE_NEWNET, allowed in a multi-threaded process because it only changes the
 * calling thread), creates the device, and returns to its own namespace. The descriptor stays
 * bound to the device, which lives in the namespace it was created in.
 */
#ifndef WIRETRAIL_TAP_COMMON_H
#define WIRETRAIL_TAP_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Opens (creates) TAP device `name` ("" = let the kernel pick tapN) in the network namespace
 * whose handle is the file `netns_path` (e.g. /var/run/netns/NAME; NULL or "" = current).
 * On success returns a non-blocking, close-on-exec descriptor and writes the device name into
 * out_name (IFNAMSIZ bytes). On failure returns -1 and writes a message into err.
 */
static int wt_tap_open(const char *name, const char *netns_path, char *out_name, char *err,
                       size_t errlen) {
  int self_ns = -1, target_ns = -1, fd = -1;
  int joined = 0;
  if (netns_path != NULL && netns_path[0] != '\0') {
    self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self_ns < 0) self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self_ns < 0) {
      snprintf(err, errlen, "cannot open own network namespace: %s", strerror(errno));
      goto fail;
    }
    target_ns = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (target_ns < 0) {
      snprintf(err, errlen, "cannot open network namespace %s: %s", netns_path, strerror(errno));
      goto fail;
    }
    if (setns(target_ns, CLONE_NEWNET) != 0) {
      snprintf(err, errlen, "cannot enter network namespace %s: %s", netns_path, strerror(errno));
      goto fail;
    }
    joined = 1;
  }
  fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(errno));
    goto fail;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (name != NULL) snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    snprintf(err, errlen, "TUNSETIFF %s: %s", name != NULL ? name : "", strerror(errno));
    goto fail;
  }
  memcpy(out_name, ifr.ifr_name, IFNAMSIZ);
  out_name[IFNAMSIZ - 1] = '\0';
  if (joined && setns(self_ns, CLONE_NEWNET) != 0) {
    snprintf(err, errlen, "cannot return to own network namespace: %s", strerror(errno));
    joined = 0;
    goto fail;
  }
  if (self_ns >= 0) close(self_ns);
  if (target_ns >= 0) close(target_ns);
  return fd;
fail:
  if (fd >= 0) close(fd);
  if (joined) (void)setns(self_ns, CLONE_NEWNET);
  if (self_ns >= 0) close(self_ns);
  if (target_ns >= 0) close(target_ns);
  return -1;
}

#endif
