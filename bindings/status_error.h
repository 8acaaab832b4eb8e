// status_error.h: keryx::Status -> a JS Error with a stable `code` (and `keryxCode` marker) that
// js/lib/errors.js turns into a KeryxError. Messages are the core's secret-free text.
#pragma once

#include <napi.h>

#include "status.h"

namespace keryx::bindings {

// status_to_error: an Error value for `status` (which must not be ok).
Napi::Error status_to_error(Napi::Env env, const Status& status);

// throw_status: throws status_to_error(env, status) into JS.
void throw_status(Napi::Env env, const Status& status);

}  // namespace keryx::bindings
