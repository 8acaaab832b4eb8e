// crypto_init.h: one-time initialisation of libsodium, which the vault, PKCE and the CSPRNG stand
// on. (libcurl has its own, curl_init.h, so the store addon does not link it.)
#pragma once

#include "status.h"

namespace keryx {

// crypto_init: initialises libsodium exactly once per process; safe to call from any thread, any
// number of times. Returns crypto_error if libsodium cannot start.
Status crypto_init();

}  // namespace keryx
