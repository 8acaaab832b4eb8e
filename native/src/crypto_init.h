// crypto_init.h: one-time initialisation of the libraries the core stands on.
#pragma once

#include "status.h"

namespace keryx {

// crypto_init: initialises libsodium and libcurl's global state exactly once per process; safe to
// call from any thread, any number of times. Returns crypto_error if libsodium cannot start.
Status crypto_init();

}  // namespace keryx
