// curl_init.h: libcurl's one-time global initialisation, kept apart from crypto_init so that code
// which never touches curl (the vault, the config file) does not link libcurl.
//
//   KERYX_RETURN_IF_ERROR(curl_init());   // before the first curl_easy_init / curl_url
#pragma once

#include "status.h"

namespace keryx {

// curl_init: calls curl_global_init(CURL_GLOBAL_DEFAULT) exactly once per process; safe to call
// from any thread, any number of times. Returns internal if libcurl could not initialise (every
// later call returns the same answer).
Status curl_init();

}  // namespace keryx
