/* xgb_load.c - XGBoost's C API, loaded when first called.
 *
 * Why: linking libxgboost makes every opsbox process load it and its C++
 * runtime (libstdc++, libdmlc, libgomp) and run their static constructors
 * at start, about a quarter of the 45 ms an `opsbox logs` run spent before
 * reading a line, though only the disk model uses it. So the binary does
 * not link it: the functions model.c calls are defined here with the same
 * names and prototypes (the header checks them), and the first call opens
 * the library (OB_XGBOOST_SONAME, found at configure time) and forwards.
 * If it cannot be opened, each call fails as XGBoost's own do (-1) and
 * XGBGetLastError says why, so the disk command reports it like any
 * XGBoost error. Safe to call from several threads: the handle and each
 * function are published with atomics (a race opens the library twice,
 * which dlopen counts). */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <xgboost/c_api.h>

#ifndef OB_XGBOOST_SONAME
#define OB_XGBOOST_SONAME "libxgboost.so.0"
#endif

static void *lib;
static char load_error[512];

/* The address of XGBoost's function name, opening the library once; NULL
 * when it cannot be opened or lacks the function (load_error says why). */
static void *xgb_sym(const char *name)
{
    void *h = __atomic_load_n(&lib, __ATOMIC_ACQUIRE);
    if (!h) {
        h = dlopen(OB_XGBOOST_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *e = dlerror();
            snprintf(load_error, sizeof load_error, "cannot load %s (XGBoost's library): %s",
                     OB_XGBOOST_SONAME, e ? e : "unknown error");
            return NULL;
        }
        void *none = NULL;
        if (!__atomic_compare_exchange_n(&lib, &none, h, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            dlclose(h);
            h = none;
        }
    }
    void *f = dlsym(h, name);
    if (!f)
        snprintf(load_error, sizeof load_error, "%s has no %s", OB_XGBOOST_SONAME, name);
    return f;
}

/* Declares fn, the real NAME (its type from the header), loaded on first
 * use; the enclosing function returns -1 when it cannot be. */
#define XGB_FORWARD(NAME)                                                \
    static void *NAME##_addr;                                            \
    void *addr_ = __atomic_load_n(&NAME##_addr, __ATOMIC_ACQUIRE);        \
    if (!addr_) {                                                        \
        if (!(addr_ = xgb_sym(#NAME)))                                   \
            return -1;                                                   \
        __atomic_store_n(&NAME##_addr, addr_, __ATOMIC_RELEASE);         \
    }                                                                    \
    __typeof__(NAME) *fn;                                                \
    memcpy(&fn, &addr_, sizeof fn)

const char *XGBGetLastError(void)
{
    if (!__atomic_load_n(&lib, __ATOMIC_ACQUIRE))
        return load_error[0] ? load_error : "XGBoost's library is not loaded";
    static void *addr;
    void *a = __atomic_load_n(&addr, __ATOMIC_ACQUIRE);
    if (!a && !(a = xgb_sym("XGBGetLastError")))
        return load_error;
    __atomic_store_n(&addr, a, __ATOMIC_RELEASE);
    const char *(*fn)(void);
    memcpy(&fn, &a, sizeof fn);
    return fn();
}

int XGDMatrixCreateFromMat(const float *data, bst_ulong nrow, bst_ulong ncol, float missing,
                           DMatrixHandle *out)
{
    XGB_FORWARD(XGDMatrixCreateFromMat);
    return fn(data, nrow, ncol, missing, out);
}

int XGDMatrixFree(DMatrixHandle handle)
{
    XGB_FORWARD(XGDMatrixFree);
    return fn(handle);
}

int XGDMatrixSetFloatInfo(DMatrixHandle handle, const char *field, const float *array, bst_ulong len)
{
    XGB_FORWARD(XGDMatrixSetFloatInfo);
    return fn(handle, field, array, len);
}

int XGBoosterCreate(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle *out)
{
    XGB_FORWARD(XGBoosterCreate);
    return fn(dmats, len, out);
}

int XGBoosterFree(BoosterHandle handle)
{
    XGB_FORWARD(XGBoosterFree);
    return fn(handle);
}

int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value)
{
    XGB_FORWARD(XGBoosterSetParam);
    return fn(handle, name, value);
}

int XGBoosterGetNumFeature(BoosterHandle handle, bst_ulong *out)
{
    XGB_FORWARD(XGBoosterGetNumFeature);
    return fn(handle, out);
}

int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain)
{
    XGB_FORWARD(XGBoosterUpdateOneIter);
    return fn(handle, iter, dtrain);
}

int XGBoosterPredict(BoosterHandle handle, DMatrixHandle dmat, int option_mask, unsigned ntree_limit,
                     int training, bst_ulong *out_len, const float **out_result)
{
    XGB_FORWARD(XGBoosterPredict);
    return fn(handle, dmat, option_mask, ntree_limit, training, out_len, out_result);
}

int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const void *buf, bst_ulong len)
{
    XGB_FORWARD(XGBoosterLoadModelFromBuffer);
    return fn(handle, buf, len);
}

int XGBoosterSaveModelToBuffer(BoosterHandle handle, char const *config, bst_ulong *out_len,
                               char const **out_dptr)
{
    XGB_FORWARD(XGBoosterSaveModelToBuffer);
    return fn(handle, config, out_len, out_dptr);
}

int XGBoosterGetAttr(BoosterHandle handle, const char *key, const char **out, int *success)
{
    XGB_FORWARD(XGBoosterGetAttr);
    return fn(handle, key, out, success);
}

int XGBoosterSetAttr(BoosterHandle handle, const char *key, const char *value)
{
    XGB_FORWARD(XGBoosterSetAttr);
    return fn(handle, key, value);
}
