/*
 * wiretrail TAP addon (N-API, C): opens a TAP device (tap_common.h) and moves Ethernet frames
 * between it and JavaScript. Two modes, chosen when reading starts:
 *
 * inline — everything on Node's event loop thread, no thread, no child process:
 *   kernel ──read()──▶ uv_poll readable ──▶ batch of frames (up to 64) ──▶ JS callback(frames[])
 *   JS write(handle, frame) ──write()──▶ kernel            (synchronous, non-blocking fd)
 *
 * threaded — one reader and one writer thread, so that the system calls (and the Linux receive
 * path that a TAP write() runs: netif_rx, IP, TCP, in the writer's context) happen on another
 * CPU while JavaScript runs the simulated stack, as the stdio helper does, but without the pipe:
 *   reader: poll + read() ──▶ RX ring ──uv_async_send──▶ loop: drain ring ──▶ JS callback
 *   JS write(handle, frame) ──memcpy──▶ TX ring ──condvar (once per event-loop turn: flush)──▶
 *     writer: write() ──▶ kernel
 * uv_async_send coalesces: while JavaScript is busy, frames accumulate and arrive as one batch.
 * A full ring drops the frame and counts it, like a NIC ring.
 *
 * Built lazily with cc against Node's headers by src/tap/build.ts; docs/tap.md compares the
 * modes and the helper (tap_helper.c). N-API is ABI-stable: one build serves every Node ≥ 20.
 */
#define NAPI_VERSION 8
#include "tap_common.h"
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <uv.h>

#define BATCH 64
#define MAXFRAME 65536
#define RING_BYTES (8u << 20)
#define WRAP 0xffffffffu

/* A byte ring of [u32 length][frame] records, one producer and one consumer. Records never
 * straddle the end: a WRAP marker sends the consumer back to offset 0. */
typedef struct Ring {
  unsigned char *mem;
  size_t head, tail; /* consumer reads at head, producer writes at tail */
  size_t used;       /* bytes in records (markers included) */
} Ring;

static int ring_init(Ring *r) {
  r->mem = (unsigned char *)malloc(RING_BYTES);
  r->head = r->tail = r->used = 0;
  return r->mem != NULL;
}

/* Space for a record of n bytes at the tail (under the lock); returns NULL when full. */
static unsigned char *ring_reserve(Ring *r, size_t n) {
  size_t need = 4 + ((n + 3) & ~(size_t)3);
  if (need > RING_BYTES) return NULL;
  if (r->used == 0) r->head = r->tail = 0;
  if (r->used == 0 || r->tail > r->head) {
    /* Records occupy [head, tail): free space is [tail, end) then [0, head). */
    if (RING_BYTES - r->tail < need) {
      if (r->head < need) return NULL;
      if (RING_BYTES - r->tail >= 4) *(uint32_t *)(r->mem + r->tail) = WRAP;
      r->used += RING_BYTES - r->tail;
      r->tail = 0;
    }
  } else if (r->head - r->tail < need) {
    /* Wrapped: free space is [tail, head). */
    return NULL;
  }
  *(uint32_t *)(r->mem + r->tail) = (uint32_t)n;
  return r->mem + r->tail + 4;
}

static void ring_commit(Ring *r, size_t n) {
  size_t need = 4 + ((n + 3) & ~(size_t)3);
  r->tail += need;
  r->used += need;
}

/* The record at the head, or NULL when empty (under the lock). */
static unsigned char *ring_peek(Ring *r, size_t *n) {
  for (;;) {
    if (r->used == 0) return NULL;
    if (RING_BYTES - r->head < 4 || *(uint32_t *)(r->mem + r->head) == WRAP) {
      r->used -= RING_BYTES - r->head;
      r->head = 0;
      continue;
    }
    *n = *(uint32_t *)(r->mem + r->head);
    return r->mem + r->head + 4;
  }
}

static void ring_pop(Ring *r, size_t n) {
  size_t need = 4 + ((n + 3) & ~(size_t)3);
  r->head += need;
  if (r->head == RING_BYTES) r->head = 0;
  r->used -= need;
  if (r->used == 0) r->head = r->tail = 0;
}

typedef struct Tap {
  int fd;
  int closed;        /* close() ran: threads stopped, fd closed, handles closing */
  int open_handles;  /* libuv handles whose close callback has not run */
  int finalized;     /* the JS external was garbage-collected */
  int started;
  int threaded;
  uv_poll_t poll;
  uv_async_t async_rx;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  unsigned char *buf;
  /* threaded mode */
  pthread_t reader, writer;
  pthread_mutex_t rx_lock, tx_lock;
  pthread_cond_t tx_cond;
  Ring rx, tx;
  int stop;
  int tx_unsignalled; /* records queued since the writer was last woken */
  int stop_fd;       /* eventfd that wakes the reader's poll() */
  int rx_error;
  /* counters: main thread; tx_errors also by the writer, rx_ring_drops by the reader (locked) */
  double rx_frames, rx_bytes, rx_batches, tx_frames, tx_bytes, tx_errors;
  double rx_ring_drops, tx_ring_drops;
} Tap;

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "wiretrail tap addon: " #call);     \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static Tap *get_tap(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "expected a tap handle");
    return NULL;
  }
  return (Tap *)p;
}

static void maybe_free(Tap *t) {
  if (t->open_handles == 0 && t->finalized) {
    if (t->threaded) {
      free(t->rx.mem);
      free(t->tx.mem);
      pthread_mutex_destroy(&t->rx_lock);
      pthread_mutex_destroy(&t->tx_lock);
      pthread_cond_destroy(&t->tx_cond);
    }
    free(t->buf);
    free(t);
  }
}

static void on_closed(uv_handle_t *h) {
  Tap *t = (Tap *)h->data;
  t->open_handles--;
  maybe_free(t);
}

/*
 * Stops the threads, closes the libuv handles and then the descriptor, in that order: uv_close
 * of the poll handle removes the fd from the loop's epoll set, which must happen while the
 * number still belongs to us. (Closing the fd first and the handle later, e.g. from the GC
 * finalizer, would remove whatever socket reused the number from epoll, and that socket would
 * never be read again.)
 */
static void tap_shutdown(Tap *t) {
  if (t->closed) return;
  t->closed = 1;
  if (t->callback != NULL) {
    napi_delete_reference(t->env, t->callback);
    t->callback = NULL;
  }
  if (t->async != NULL) {
    napi_async_destroy(t->env, t->async);
    t->async = NULL;
  }
  if (t->threaded && t->started) {
    pthread_mutex_lock(&t->tx_lock);
    t->stop = 1;
    pthread_cond_signal(&t->tx_cond);
    pthread_mutex_unlock(&t->tx_lock);
    uint64_t one = 1;
    ssize_t w = write(t->stop_fd, &one, sizeof one);
    (void)w;
    pthread_join(t->reader, NULL);
    pthread_join(t->writer, NULL);
    close(t->stop_fd);
    uv_close((uv_handle_t *)&t->async_rx, on_closed);
  }
  uv_poll_stop(&t->poll);
  uv_close((uv_handle_t *)&t->poll, on_closed);
  close(t->fd);
  t->fd = -1;
}

/* The external's finalizer: the handle was garbage-collected (close() may not have run). */
static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Tap *t = (Tap *)data;
  tap_shutdown(t);
  t->finalized = 1;
  maybe_free(t);
}

/* Calls the JS callback with `arr` (and an error string when err != 0). */
static void deliver(Tap *t, napi_value arr, int err) {
  napi_env env = t->env;
  napi_value cb, recv, result, args[2];
  napi_get_reference_value(env, t->callback, &cb);
  napi_get_global(env, &recv); /* napi_make_callback needs an object receiver */
  args[0] = arr;
  if (err) {
    napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &args[1]);
  } else {
    napi_get_undefined(env, &args[1]);
  }
  t->rx_batches += 1;
  napi_status s = napi_make_callback(env, t->async, recv, cb, 2, args, &result);
  if (s == napi_pending_exception) {
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex);
    napi_fatal_exception(env, ex);
  }
}

/* inline mode: the fd is readable. */
static void on_readable(uv_poll_t *p, int status, int events) {
  (void)events;
  Tap *t = (Tap *)p->data;
  if (t->closed || t->callback == NULL) return;
  napi_env env = t->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t n = 0;
  int err = status < 0 ? -status : 0;
  while (!err && n < BATCH) {
    ssize_t r = read(t->fd, t->buf, MAXFRAME);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
      break;
    }
    if (r == 0) break;
    napi_value b;
    void *dst;
    if (napi_create_buffer_copy(env, (size_t)r, t->buf, &dst, &b) != napi_ok) break;
    napi_set_element(env, arr, n++, b);
    t->rx_frames += 1;
    t->rx_bytes += (double)r;
  }
  if (n > 0 || err) deliver(t, arr, err);
  napi_close_handle_scope(env, scope);
}

/* threaded mode: the reader thread queued frames. */
static void on_rx_async(uv_async_t *a) {
  Tap *t = (Tap *)a->data;
  if (t->closed || t->callback == NULL) return;
  napi_env env = t->env;
  for (;;) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value arr;
    napi_create_array(env, &arr);
    uint32_t n = 0;
    int err;
    pthread_mutex_lock(&t->rx_lock);
    size_t len;
    unsigned char *rec;
    while (n < 1024 && (rec = ring_peek(&t->rx, &len)) != NULL) {
      napi_value b;
      void *dst;
      if (napi_create_buffer_copy(env, len, rec, &dst, &b) != napi_ok) break;
      ring_pop(&t->rx, len);
      napi_set_element(env, arr, n++, b);
      t->rx_frames += 1;
      t->rx_bytes += (double)len;
    }
    int more = t->rx.used > 0;
    err = t->rx_error;
    t->rx_error = 0;
    pthread_mutex_unlock(&t->rx_lock);
    if (n > 0 || err) deliver(t, arr, err);
    napi_close_handle_scope(env, scope);
    if (!more || t->closed || t->callback == NULL) return;
  }
}

static void *reader_main(void *arg) {
  Tap *t = (Tap *)arg;
  struct pollfd pf[2] = {{t->fd, POLLIN, 0}, {t->stop_fd, POLLIN, 0}};
  for (;;) {
    if (poll(pf, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pf[1].revents) break;
    int queued = 0, err = 0;
    for (;;) {
      ssize_t r = read(t->fd, t->buf, MAXFRAME);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
        break;
      }
      if (r == 0) break;
      pthread_mutex_lock(&t->rx_lock);
      unsigned char *dst = ring_reserve(&t->rx, (size_t)r);
      if (dst != NULL) {
        memcpy(dst, t->buf, (size_t)r);
        ring_commit(&t->rx, (size_t)r);
        queued++;
      } else {
        t->rx_ring_drops += 1;
      }
      pthread_mutex_unlock(&t->rx_lock);
      if (queued >= BATCH) {
        uv_async_send(&t->async_rx);
        queued = 0;
      }
    }
    if (err) {
      pthread_mutex_lock(&t->rx_lock);
      t->rx_error = err;
      pthread_mutex_unlock(&t->rx_lock);
    }
    if (queued > 0 || err) uv_async_send(&t->async_rx);
    if (err) break; /* the device went away */
  }
  return NULL;
}

static void *writer_main(void *arg) {
  Tap *t = (Tap *)arg;
  pthread_mutex_lock(&t->tx_lock);
  for (;;) {
    size_t len;
    unsigned char *rec;
    while (!t->stop && (rec = ring_peek(&t->tx, &len)) == NULL) pthread_cond_wait(&t->tx_cond, &t->tx_lock);
    if (t->stop) break;
    /* The producer never touches an unconsumed record: write it without the lock. */
    pthread_mutex_unlock(&t->tx_lock);
    ssize_t r;
    do r = write(t->fd, rec, len);
    while (r < 0 && errno == EINTR);
    pthread_mutex_lock(&t->tx_lock);
    if (r < 0) t->tx_errors += 1;
    ring_pop(&t->tx, len);
  }
  pthread_mutex_unlock(&t->tx_lock);
  return NULL;
}

/* open(name: string, netnsPath: string) -> [handle, actualName] */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char name[IFNAMSIZ] = {0}, ns[4096] = {0}, actual[IFNAMSIZ] = {0}, err[512] = {0};
  size_t len;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], ns, sizeof ns, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "open(name: string, netnsPath: string)");
    return NULL;
  }
  int fd = wt_tap_open(name, ns, actual, err, sizeof err);
  if (fd < 0) {
    napi_throw_error(env, "ETAPOPEN", err);
    return NULL;
  }
  Tap *t = (Tap *)calloc(1, sizeof(Tap));
  t->buf = (unsigned char *)malloc(MAXFRAME);
  t->fd = fd;
  t->env = env;
  t->stop_fd = -1;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_poll_init(loop, &t->poll, fd);
  t->poll.data = t;
  t->open_handles = 1;
  uv_unref((uv_handle_t *)&t->poll);
  napi_value handle, nm, out;
  CHECK(napi_create_external(env, t, finalize, NULL, &handle));
  CHECK(napi_create_string_utf8(env, actual, NAPI_AUTO_LENGTH, &nm));
  CHECK(napi_create_array_with_length(env, 2, &out));
  napi_set_element(env, out, 0, handle);
  napi_set_element(env, out, 1, nm);
  return out;
}

/*
 * start(handle, callback(frames: Buffer[], error?: string), threaded: boolean): starts reading
 * (once per handle); keeps Node alive until close().
 */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Tap *t = get_tap(env, argv[0]);
  if (t == NULL || t->closed) return NULL;
  if (t->started) {
    napi_throw_error(env, NULL, "start() was already called for this device");
    return NULL;
  }
  bool threaded = false;
  if (argc >= 3) napi_get_value_bool(env, argv[2], &threaded);
  CHECK(napi_create_reference(env, argv[1], 1, &t->callback));
  napi_value resname;
  CHECK(napi_create_string_utf8(env, "wiretrail.tap", NAPI_AUTO_LENGTH, &resname));
  CHECK(napi_async_init(env, NULL, resname, &t->async));
  t->started = 1;
  if (!threaded) {
    uv_poll_start(&t->poll, UV_READABLE, on_readable);
    uv_ref((uv_handle_t *)&t->poll);
    return NULL;
  }
  t->threaded = 1;
  if (!ring_init(&t->rx) || !ring_init(&t->tx)) {
    napi_throw_error(env, NULL, "out of memory for the TAP rings");
    return NULL;
  }
  pthread_mutex_init(&t->rx_lock, NULL);
  pthread_mutex_init(&t->tx_lock, NULL);
  pthread_cond_init(&t->tx_cond, NULL);
  t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_async_init(loop, &t->async_rx, on_rx_async);
  t->async_rx.data = t;
  t->open_handles++;
  if (pthread_create(&t->reader, NULL, reader_main, t) != 0 ||
      pthread_create(&t->writer, NULL, writer_main, t) != 0) {
    napi_throw_error(env, NULL, "cannot start the TAP threads");
    return NULL;
  }
  return NULL;
}

/*
 * write(handle, frame: Uint8Array) -> bytes written (inline) or queued (threaded), or -errno
 * (EAGAIN: the kernel queue, or the TX ring, is full).
 */
static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Tap *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab, out;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, &ab, &offset) != napi_ok) {
    napi_throw_type_error(env, NULL, "write(handle, frame: Uint8Array)");
    return NULL;
  }
  ssize_t r;
  if (t->closed) {
    r = -EBADF;
  } else if (t->threaded) {
    pthread_mutex_lock(&t->tx_lock);
    unsigned char *dst = length <= MAXFRAME ? ring_reserve(&t->tx, length) : NULL;
    if (dst != NULL) {
      memcpy(dst, data, length);
      ring_commit(&t->tx, length);
      /* Wake the writer once per batch (flush(), called once per event-loop turn), or now when
       * the ring is filling up. */
      if (++t->tx_unsignalled >= 256 || t->tx.used > RING_BYTES / 2) {
        t->tx_unsignalled = 0;
        pthread_cond_signal(&t->tx_cond);
      }
      r = (ssize_t)length;
      t->tx_frames += 1;
      t->tx_bytes += (double)length;
    } else {
      t->tx_ring_drops += 1;
      r = -EAGAIN;
    }
    pthread_mutex_unlock(&t->tx_lock);
  } else {
    do r = write(t->fd, data, length);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
      r = -errno;
      t->tx_errors += 1;
    } else {
      t->tx_frames += 1;
      t->tx_bytes += (double)r;
    }
  }
  CHECK(napi_create_int32(env, (int32_t)r, &out));
  return out;
}

/* flush(handle): wakes the writer thread for the frames queued since it was last woken. */
static napi_value js_flush(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Tap *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  if (t->threaded && !t->closed) {
    pthread_mutex_lock(&t->tx_lock);
    if (t->tx_unsignalled > 0) {
      t->tx_unsignalled = 0;
      pthread_cond_signal(&t->tx_cond);
    }
    pthread_mutex_unlock(&t->tx_lock);
  }
  return NULL;
}

/* close(handle): stops reading and closes the descriptor (the device disappears). */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Tap *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  tap_shutdown(t);
  return NULL;
}

/* stats(handle) -> [rxFrames, rxBytes, rxBatches, txFrames, txBytes, txErrors, rxRingDrops, txRingDrops] */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Tap *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  if (t->threaded && !t->closed) pthread_mutex_lock(&t->tx_lock);
  double v[8] = {t->rx_frames, t->rx_bytes,  t->rx_batches,    t->tx_frames,
                 t->tx_bytes,  t->tx_errors, t->rx_ring_drops, t->tx_ring_drops};
  if (t->threaded && !t->closed) pthread_mutex_unlock(&t->tx_lock);
  napi_value out, x;
  CHECK(napi_create_array_with_length(env, 8, &out));
  for (uint32_t i = 0; i < 8; i++) {
    napi_create_double(env, v[i], &x);
    napi_set_element(env, out, i, x);
  }
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"write", NULL, js_write, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flush", NULL, js_flush, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
