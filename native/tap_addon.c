/*
 * wiretrail TAP addon (N-API, C): opens a TAP device (tap_common.h) and moves Ethernet frames
 * between it and JavaScript inside Node's own event loop, without a thread or a child process:
 *
 *   kernel ──read()──▶ uv_poll readable ──▶ batch of frames (up to 64) ──▶ JS callback(frames[])
 *   JS write(handle, frame) ──write()──▶ kernel            (synchronous, non-blocking fd)
 *
 * Built lazily with cc against Node's headers by src/tap/build.ts; see docs/tap.md for why this
 * path was kept over the stdio helper (tap_helper.c). N-API is ABI-stable, so one build serves
 * every Node ≥ 20 on the machine.
 */
#define NAPI_VERSION 8
#include "tap_common.h"
#include <node_api.h>
#include <stdlib.h>
#include <uv.h>

#define BATCH 64
#define MAXFRAME 65536

typedef struct Tap {
  int fd;
  int closed;         /* close() ran: fd closed, poll handle closing */
  int handle_closed;  /* uv_close callback ran */
  int finalized;      /* the JS external was garbage-collected */
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  unsigned char *buf;
  double rx_frames, rx_bytes, rx_batches, tx_frames, tx_bytes, tx_errors;
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
  if (t->handle_closed && t->finalized) {
    free(t->buf);
    free(t);
  }
}

static void on_closed(uv_handle_t *h) {
  Tap *t = (Tap *)h->data;
  t->handle_closed = 1;
  maybe_free(t);
}

/*
 * Closes the poll handle and then the descriptor, in that order: uv_close removes the fd from
 * the loop's epoll set, which must happen while the number still belongs to us. (Closing the fd
 * first and the handle later, e.g. from the GC finalizer, would remove whatever socket reused the
 * number from epoll, and that socket would never be read again.)
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

static void on_readable(uv_poll_t *p, int status, int events) {
  (void)events;
  Tap *t = (Tap *)p->data;
  if (t->closed || t->callback == NULL) return;
  napi_env env = t->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value arr, cb, recv, result;
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
  if (n > 0 || err) {
    t->rx_batches += 1;
    napi_get_reference_value(env, t->callback, &cb);
    napi_get_global(env, &recv); /* napi_make_callback needs an object receiver */
    napi_value args[2];
    args[0] = arr;
    if (err) {
      napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &args[1]);
    } else {
      napi_get_undefined(env, &args[1]);
    }
    napi_status s = napi_make_callback(env, t->async, recv, cb, 2, args, &result);
    if (s == napi_pending_exception) {
      napi_value ex;
      napi_get_and_clear_last_exception(env, &ex);
      napi_fatal_exception(env, ex);
    }
  }
  napi_close_handle_scope(env, scope);
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
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_poll_init(loop, &t->poll, fd);
  t->poll.data = t;
  uv_unref((uv_handle_t *)&t->poll);
  napi_value handle, nm, out;
  CHECK(napi_create_external(env, t, finalize, NULL, &handle));
  CHECK(napi_create_string_utf8(env, actual, NAPI_AUTO_LENGTH, &nm));
  CHECK(napi_create_array_with_length(env, 2, &out));
  napi_set_element(env, out, 0, handle);
  napi_set_element(env, out, 1, nm);
  return out;
}

/* start(handle, callback(frames: Buffer[], error?: string)): starts reading; keeps Node alive. */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Tap *t = get_tap(env, argv[0]);
  if (t == NULL || t->closed) return NULL;
  if (t->callback != NULL) napi_delete_reference(env, t->callback);
  CHECK(napi_create_reference(env, argv[1], 1, &t->callback));
  if (t->async == NULL) {
    napi_value resname;
    CHECK(napi_create_string_utf8(env, "wiretrail.tap", NAPI_AUTO_LENGTH, &resname));
    CHECK(napi_async_init(env, NULL, resname, &t->async));
  }
  uv_poll_start(&t->poll, UV_READABLE, on_readable);
  uv_ref((uv_handle_t *)&t->poll);
  return NULL;
}

/* write(handle, frame: Uint8Array) -> bytes written, or -errno (EAGAIN: the kernel queue is full) */
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

/* stats(handle) -> [rxFrames, rxBytes, rxBatches, txFrames, txBytes, txErrors] */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Tap *t = get_tap(env, argv[0]);
  if (t == NULL) return NULL;
  double v[6] = {t->rx_frames, t->rx_bytes, t->rx_batches, t->tx_frames, t->tx_bytes, t->tx_errors};
  napi_value out, x;
  CHECK(napi_create_array_with_length(env, 6, &out));
  for (uint32_t i = 0; i < 6; i++) {
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
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
